"""Classification of offers per theme: transparent rules plus a scikit-learn text model.

The rules come from the theme (see ``themes``) and each hit is a reason a person can check. The
text model (TF-IDF word and character n-grams, logistic regression) is trained on labelled offers:
ground truth or analysts' corrections, the latter taking precedence. The final score combines the rule
score and the model's probability as independent evidence (noisy-OR, the model discounted by
``MODEL_WEIGHT``), so the model adds suspicion for phrasings no rule knows but cannot cancel a rule
hit; the words that pushed the model most are listed as reasons too.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from plein.webwatch.themes import Rule, WebTheme

MODEL_WEIGHT = 0.6


@dataclass(frozen=True)
class OfferText:
    """What classification looks at: the scrubbed text, price and seller type of one offer."""

    title: str
    description: str
    price: Decimal | None = None
    seller_type: str = "onbekend"
    category: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.category}\n{self.description}"


@dataclass
class Verdict:
    """Score (0–1), whether it is a likely violation, and the reasons."""

    score: float
    likely_violation: bool
    rule_score: float
    model_score: float | None
    reasons: list[str] = field(default_factory=list)
    rules_hit: list[str] = field(default_factory=list)


def _rule_hits(rule: Rule, offer: OfferText) -> bool:
    text = offer.text
    if rule.kind == "pattern":
        return any(p.search(text) for p in rule.patterns)
    if rule.kind == "absent":
        return not any(p.search(text) for p in rule.patterns)
    if rule.kind == "seller_type":
        return offer.seller_type in rule.values
    if rule.kind == "price_below":
        return offer.price is not None and 0 < float(offer.price) < rule.amount
    if rule.kind == "number_above":
        return any(float(m.group(1)) > rule.limit for p in rule.patterns for m in p.finditer(text))
    if rule.kind == "all":
        return all(_rule_hits(part, offer) for part in rule.parts)
    return False


def rule_verdict(theme: WebTheme, offer: OfferText) -> tuple[float, list[str], list[str]]:
    """(score, reasons, rule codes): score = 1 − Π(1 − weight) over the rules that hit."""
    remaining = 1.0
    reasons: list[str] = []
    codes: list[str] = []
    for rule in theme.rules:
        if _rule_hits(rule, offer):
            remaining *= 1 - rule.weight
            reasons.append(f"regel {rule.code}: {rule.description}")
            codes.append(rule.code)
    return 1 - remaining, reasons, codes


class TextModel:
    """A per-theme text classifier; ``None`` probability when it has not been trained."""

    def __init__(self, pipeline: Any = None, trained_on: int = 0) -> None:
        self.pipeline = pipeline
        self.trained_on = trained_on

    @classmethod
    def train(cls, texts: list[str], labels: list[bool]) -> TextModel:
        """Fit on labelled texts; needs both classes present, else stays untrained."""
        if len(set(labels)) < 2:
            return cls()
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(
                        lowercase=True, analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True
                    ),
                ),
            ]
        )
        pipeline = Pipeline(
            [("features", features), ("model", LogisticRegression(max_iter=1000, class_weight="balanced", C=4.0))]
        )
        pipeline.fit(texts, labels)
        return cls(pipeline, len(texts))

    def probability(self, text: str) -> float | None:
        if self.pipeline is None:
            return None
        return float(self.pipeline.predict_proba([text])[0][list(self.pipeline.classes_).index(True)])

    def top_words(self, text: str, n: int = 3) -> list[str]:
        """Words of ``text`` that pushed most toward 'violation' (the model's reasons)."""
        if self.pipeline is None:
            return []
        words = self.pipeline.named_steps["features"].transformer_list[0][1]
        coefficients = self.pipeline.named_steps["model"].coef_[0][: len(words.vocabulary_)]
        row = words.transform([text])
        scored = [(coefficients[i] * row[0, i], term) for term, i in words.vocabulary_.items() if row[0, i] > 0]
        return [term for weight, term in sorted(scored, reverse=True)[:n] if weight > 0]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(self))

    @classmethod
    def load(cls, path: Path) -> TextModel:
        """A model saved by ``save`` (our own file under var/), or an untrained one when absent."""
        if not path.is_file():
            return cls()
        loaded = pickle.loads(path.read_bytes())  # noqa: S301 - written by plein itself under var/
        return loaded if isinstance(loaded, TextModel) else cls()


def classify(theme: WebTheme, offer: OfferText, model: TextModel | None = None) -> Verdict:
    """Rules and model combined into one verdict with every reason listed."""
    rule_score, reasons, codes = rule_verdict(theme, offer)
    model_score = model.probability(offer.text) if model is not None else None
    if model_score is None:
        score = rule_score
    else:
        # The model is one more piece of evidence next to the rules (noisy-OR, discounted): it can add
        # suspicion where no rule fires, but never explain away a rule's finding.
        score = 1 - (1 - rule_score) * (1 - MODEL_WEIGHT * model_score)
        words = model.top_words(offer.text) if model is not None else []
        hint = f" (woorden: {', '.join(words)})" if words else ""
        reasons.append(f"tekstmodel: kans {model_score:.2f}{hint}")
    return Verdict(
        round(score, 4),
        score >= theme.threshold,
        round(rule_score, 4),
        None if model_score is None else round(model_score, 4),
        reasons,
        codes,
    )

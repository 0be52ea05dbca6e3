"""Labels and model training: analysts' corrections, outside labels, and retraining a theme's model."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from plein.audit.actions import AuditAction
from plein.errors import ValidationError
from plein.policy.gate import Gate
from plein.policy.register import Operation
from plein.settings import Settings, get_settings
from plein.store.engine import session_factory
from plein.webwatch.classify import OfferText, TextModel, classify
from plein.webwatch.models import WebLabel, WebOffer
from plein.webwatch.reads import get_offer
from plein.webwatch.themes import load_themes


def model_path(theme_code: str, settings: Settings | None = None) -> Path:
    return (settings or get_settings()).var_dir / "webwatch" / "models" / f"{theme_code}.pickle"


def load_models(theme_codes: list[str], settings: Settings | None = None) -> dict[str, TextModel]:
    return {code: TextModel.load(model_path(code, settings)) for code in theme_codes}


def label_offer(gate: Gate, offer_id: int, label: bool, note: str = "") -> WebOffer:
    """An analyst's correction: kept as a WebLabel (with the scrubbed text) and applied to the offer."""
    offer = get_offer(gate, offer_id)
    gate.permit(Operation.LABEL_OFFER, AuditAction.WEB_LABEL_CORRECT)
    gate.session.add(
        WebLabel(
            offer_id=offer.id,
            theme_code=offer.theme_code,
            label=label,
            text=f"{offer.title}\n{offer.category}\n{offer.description}",
            analyst=gate.actor.username,
            note=note[:2000],
        )
    )
    offer.label = label
    offer.likely_violation = label
    gate.audit(
        AuditAction.WEB_LABEL_CORRECT, object_type="webaanbod", object_id=str(offer.id), details={"label": label}
    )
    return offer


def add_training_labels(engine: Engine, theme_code: str, labelled: list[tuple[str, bool]], source: str) -> int:
    """Labelled texts from outside (e.g. the demo ground truth) as training data for ``theme_code``."""
    with session_factory(engine)() as session:
        for text, label in labelled:
            session.add(WebLabel(offer_id=None, theme_code=theme_code, label=label, text=text, analyst=source))
        session.commit()
    return len(labelled)


def retrain(engine: Engine, theme_code: str, settings: Settings | None = None) -> TextModel:
    """Train the theme's text model on all labels (the newest label per offer wins) and re-score
    the theme's offers with it; the model is saved under var/webwatch/models."""
    themes = load_themes()
    if theme_code not in themes:
        raise ValidationError(f"Onbekend thema {theme_code!r}.")
    theme = themes[theme_code]
    with session_factory(engine)() as session:
        labels = list(
            session.scalars(
                select(WebLabel).where(WebLabel.theme_code == theme_code).order_by(WebLabel.created_at, WebLabel.id)
            )
        )
        newest: dict[object, WebLabel] = {}
        for row in labels:
            newest[row.offer_id if row.offer_id is not None else f"tekst:{row.id}"] = row
        model = TextModel.train([r.text for r in newest.values()], [r.label for r in newest.values()])
        model.save(model_path(theme_code, settings))
        for offer in session.scalars(select(WebOffer).where(WebOffer.theme_code == theme_code)):
            verdict = classify(
                theme, OfferText(offer.title, offer.description, offer.price, offer.seller_type, offer.category), model
            )
            offer.score, offer.rule_score, offer.model_score = verdict.score, verdict.rule_score, verdict.model_score
            offer.reasons, offer.rules_hit = verdict.reasons, verdict.rules_hit
            offer.likely_violation = verdict.likely_violation if offer.label is None else bool(offer.label)
        session.commit()
    return model

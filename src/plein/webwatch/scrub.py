"""Personal data out of free text before anything is stored for inspectors.

Presidio's AnalyzerEngine does the work, on a blank Dutch spaCy pipeline (no model download) whose
lemmas are the lower-cased tokens so that Presidio's context words work. Recognizers: Presidio's own
e-mail, IBAN and phone (phonenumbers, regions NL/BE/DE) with Dutch context words; our own BSN
(elfproef through stdnum), postcode, street + house number, and Dutch person names from deduce's
lists. Business identifiers (KvK, VAT numbers) and company names (a name followed by a legal form
such as B.V.) are left alone on purpose: inspectors need them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import phonenumbers
from presidio_analyzer import (
    AnalysisExplanation,
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IbanRecognizer, PhoneRecognizer
from stdnum.nl import bsn as stdnum_bsn

from plein.webwatch.lexicon import STREET_SUFFIXES, Lexicon, load_lexicon

LANGUAGE = "nl"
LABELS = {
    "PERSON": "[NAAM]",
    "EMAIL_ADDRESS": "[E-MAIL]",
    "PHONE_NUMBER": "[TELEFOON]",
    "IBAN_CODE": "[IBAN]",
    "BSN": "[BSN]",
    "ADDRESS": "[ADRES]",
    "POSTCODE": "[POSTCODE]",
}
ENTITIES = list(LABELS)
PHONE_CONTEXT = ["bel", "bellen", "tel", "telefoon", "telefoonnummer", "mobiel", "gsm", "whatsapp", "app", "sms"]
EMAIL_CONTEXT = ["mail", "email", "e-mail", "mailen", "mailadres", "contact"]
IBAN_CONTEXT = ["iban", "rekening", "rekeningnummer", "overmaken", "betalen", "tnv", "t.n.v."]
BSN_CONTEXT = ["bsn", "burgerservicenummer", "sofinummer", "sofi"]
ADDRESS_CONTEXT = ["adres", "ophalen", "afhalen", "woon", "wonen", "postcode", "straat"]
NAME_CONTEXT_BEFORE = re.compile(
    r"(?:groet(?:en|jes)?|gr\.?|mvg|m\.v\.g\.?|naam|ik ben|mijn naam is|vraag naar|bel|contact(?:persoon)?|"
    r"dhr\.?|mevr\.?|meneer|mevrouw|familie|fam\.?|t\.?n\.?v\.?|verkoper|afzender|groetjes van)\s*[:,]?\s*$",
    re.IGNORECASE,
)
LEGAL_FORM_AFTER = re.compile(
    r"^\s*(?:&\s*(?:Zn|Zonen)\b|B\.?V\.?\b|N\.?V\.?\b|V\.?O\.?F\.?\b|C\.?V\.?\b|Holding\b|Group\b|Groep\b|"
    r"Installatie|Koeltechniek|Techniek|Transport|Handel|Service|Shop|Webshop|Store|Bouw|Beheer)",
)
WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*\.?")
INITIALS_NAME_RE = re.compile(
    r"\b(?:[A-Z]\.\s?){1,4}(?:(?:van|de|der|den|ter|ten|te|het|in 't|op de|v\.d\.)\s)*"
    r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
)
ADDRESS_RE = re.compile(
    r"\b(?:[A-Z][a-zà-ÿ]+[ -])?(?:[A-Z][a-zà-ÿ]+[ -]){0,2}[A-Za-zà-ÿ]*(?:" + "|".join(STREET_SUFFIXES) + r")"
    r"\s\d{1,5}(?:\s?[a-zA-Z]{1,2}\b|[-/]\d{1,4}|\s?(?:hs|bis|huis)\b)?",
)
POSTCODE_RE = r"\b[1-9][0-9]{3}\s?(?!SA|SD|SS)[A-Z]{2}\b"
NOT_A_NAME = frozenset(
    {
        "max",
        "pro",
        "mini",
        "super",
        "eco",
        "sport",
        "city",
        "light",
        "plus",
        "classic",
        "smart",
        "power",
        "mark",
        "star",
        "ultra",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "maart",
        "june",
        "july",
        "may",
        "nova",
        "volt",
        "speed",
        "rider",
        "urban",
        "thunder",
        "storm",
        "flash",
        "turbo",
        "neo",
        "jet",
        "boost",
    }
)


@dataclass
class Finding:
    """One piece of personal data: what kind, where (character offsets), how sure."""

    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 2),
            "herkenner": self.recognizer,
        }


@dataclass
class ScrubResult:
    """The text with personal data replaced by labels, and what was found in the original."""

    text: str
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"tekst": self.text, "gevonden": [f.as_json() for f in self.findings]}


class BsnRecognizer(PatternRecognizer):
    """Nine digits passing the elfproef (stdnum); eight-digit KvK numbers never match."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="BSN",
            patterns=[
                Pattern(
                    "bsn",
                    r"(?<![\d.,-])\d{9}(?![\d,]|\.\d)|\b\d{3}[.\s-]\d{2}[.\s-]\d{3}\b"
                    r"|\b\d{4}[.\s]\d{2}[.\s]\d{3}\b",
                    0.5,
                )
            ],
            context=BSN_CONTEXT,
            supported_language=LANGUAGE,
            name="BsnRecognizer",
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        return len(digits) == 9 and stdnum_bsn.is_valid(digits)


class PostcodeRecognizer(PatternRecognizer):
    """Dutch postcodes (``1234 AB``; the letters SA, SD and SS are never issued)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="POSTCODE",
            patterns=[Pattern("postcode", POSTCODE_RE, 0.6)],
            context=ADDRESS_CONTEXT,
            supported_language=LANGUAGE,
            name="PostcodeRecognizer",
        )


class StreetRecognizer(EntityRecognizer):
    """Street + house number: a street suffix (…straat 12a), or a street name from deduce's list."""

    LABEL = "StraatHerkenner"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(
            supported_entities=["ADDRESS"], supported_language=LANGUAGE, name=self.LABEL, context=ADDRESS_CONTEXT
        )

    def load(self) -> None:
        """Nothing to load: the lexicon is given."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = [_result("ADDRESS", m.start(), m.end(), 0.7, self.LABEL) for m in ADDRESS_RE.finditer(text)]
        for match in re.finditer(r"\b((?:[A-Za-zà-ÿ.]+\s){0,2}[A-Za-zà-ÿ.]+)\s(\d{1,5}[a-zA-Z]?)\b", text):
            words = match.group(1).lower().split()
            for skip in range(len(words)):
                candidate = " ".join(words[skip:])
                if candidate in self.lexicon.streets and candidate not in self.lexicon.common_words:
                    start = match.start() + match.group(1).lower().find(candidate)
                    results.append(_result("ADDRESS", start, match.end(), 0.6, self.LABEL))
                    break
        return results


class DutchNameRecognizer(EntityRecognizer):
    """Person names: a known first name followed by (interfix and) a surname, initials with a surname, or a
    first name after words such as 'groeten' or 'vraag naar'. A name followed by a legal form is a
    company name and stays."""

    LABEL = "NaamHerkenner"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(supported_entities=["PERSON"], supported_language=LANGUAGE, name=self.LABEL)

    def load(self) -> None:
        """Nothing to load: the lexicon is given."""

    def _is_first(self, word: str) -> bool:
        low = word.lower()
        return (
            word[:1].isupper()
            and low in self.lexicon.first_names
            and low not in NOT_A_NAME
            and low not in self.lexicon.common_words
        )

    def _is_surname_like(self, word: str) -> bool:
        low = word.lower().rstrip(".")
        if not word[:1].isupper() or low in NOT_A_NAME:
            return False
        return low in self.lexicon.surnames or (low not in self.lexicon.common_words and len(low) > 1)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        words = list(WORD_RE.finditer(text))
        results: list[RecognizerResult] = []
        index = 0
        while index < len(words):
            word = words[index].group(0).rstrip(".")
            if not self._is_first(word):
                index += 1
                continue
            end_index = index
            while (
                end_index + 1 < len(words)
                and not words[end_index].group(0).endswith(".")
                and self._is_first(words[end_index + 1].group(0))
                and _adjacent(text, words[end_index], words[end_index + 1])
            ):
                end_index += 1
            probe = end_index + 1
            while (
                probe < len(words)
                and words[probe].group(0).lower() in self.lexicon.interfixes
                and _adjacent(text, words[probe - 1], words[probe])
            ):
                probe += 1
            has_surname = (
                not words[end_index].group(0).endswith(".")
                and probe < len(words)
                and _adjacent(text, words[probe - 1], words[probe])
                and self._is_surname_like(words[probe].group(0))
            )
            start = words[index].start()
            before = text[max(0, start - 40) : start]
            context = bool(NAME_CONTEXT_BEFORE.search(before))
            if has_surname:
                end = words[probe].end()
                surname = words[probe].group(0).lower().rstrip(".")
                known = surname in self.lexicon.surnames
                score = 0.85 if known or context else 0.6
                if not LEGAL_FORM_AFTER.match(text[end : end + 20]):
                    results.append(
                        _result("PERSON", start, end - (1 if text[end - 1] == "." else 0), score, self.LABEL)
                    )
                index = probe + 1
                continue
            if context:
                end = words[end_index].end()
                results.append(_result("PERSON", start, end - (1 if text[end - 1] == "." else 0), 0.75, self.LABEL))
            index = end_index + 1
        for match in INITIALS_NAME_RE.finditer(text):
            surname = match.group(0).split()[-1].lower()
            if (
                surname in self.lexicon.surnames
                or NAME_CONTEXT_BEFORE.search(text[max(0, match.start() - 40) : match.start()])
            ) and not LEGAL_FORM_AFTER.match(text[match.end() : match.end() + 20]):
                results.append(_result("PERSON", match.start(), match.end(), 0.8, self.LABEL))
        return results


def _result(entity: str, start: int, end: int, score: float, recognizer: str) -> RecognizerResult:
    """A result with the explanation Presidio's context enhancer expects, and our recognizer's name."""
    return RecognizerResult(
        entity,
        start,
        end,
        score,
        analysis_explanation=AnalysisExplanation(recognizer=recognizer, original_score=score),
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: recognizer},
    )


def _adjacent(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    gap = text[left.end() : right.start()]
    return gap in (" ", "-") or (gap.strip() == "" and "\n" not in gap and len(gap) <= 2)


class DutchPhoneRecognizer(PhoneRecognizer):
    """Presidio's phonenumbers-based recognizer for NL (and neighbours), with a lenient fallback for
    Dutch mobile numbers written in pieces (``06 - 123 456 78``)."""

    LABEL = "TelefoonHerkenner"

    def __init__(self) -> None:
        super().__init__(
            context=PHONE_CONTEXT,
            supported_language=LANGUAGE,
            supported_regions=("NL", "BE", "DE"),
            leniency=phonenumbers.Leniency.POSSIBLE,
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = list(super().analyze(text, entities, nlp_artifacts))  # type: ignore[arg-type]
        for match in re.finditer(r"(?<![\d+])(?:\+31[\s-]?|0031[\s-]?|0)6(?:[\s-]?\d){8}(?!\d)", text):
            results.append(_result("PHONE_NUMBER", match.start(), match.end(), 0.8, self.LABEL))
        # Numbers that are valid Dutch numbers by phonenumbers' own metadata (landlines such as 030-1234567)
        # count without a context word; Presidio's base score alone would leave them below the threshold.
        for found in phonenumbers.PhoneNumberMatcher(text, "NL", leniency=phonenumbers.Leniency.VALID):
            results.append(_result("PHONE_NUMBER", found.start, found.end, 0.75, self.LABEL))
        return results


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer, checking the domain against tldextract's bundled suffix list
    instead of downloading the current one (plein runs without internet)."""

    def validate_result(self, pattern_text: str) -> bool | None:
        return bool(_offline_tld(pattern_text).fqdn)


@lru_cache(maxsize=1)
def _tld_extractor() -> Any:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _offline_tld(text: str) -> Any:
    return _tld_extractor()(text)


def _nlp_engine() -> SpacyNlpEngine:
    """A Presidio NLP engine on ``spacy.blank('nl')`` whose lemmas are lower-cased tokens."""
    import spacy
    from spacy.language import Language

    if "plein_lower_lemma" not in Language.factories:

        @Language.component("plein_lower_lemma")
        def lower_lemma(doc: Any) -> Any:
            for token in doc:
                token.lemma_ = token.lower_
            return doc

    nlp = spacy.blank(LANGUAGE)
    nlp.add_pipe("plein_lower_lemma")
    engine = SpacyNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "blank-nl"}])
    engine.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]
    return engine


class Scrubber:
    """Finds and replaces personal data in Dutch (and English) free text."""

    def __init__(self, lexicon: Lexicon | None = None, threshold: float = 0.5) -> None:
        lexicon = lexicon or load_lexicon()
        registry = RecognizerRegistry(supported_languages=[LANGUAGE])
        for recognizer in (
            OfflineEmailRecognizer(supported_language=LANGUAGE, context=EMAIL_CONTEXT),
            IbanRecognizer(supported_language=LANGUAGE, context=IBAN_CONTEXT),
            DutchPhoneRecognizer(),
            BsnRecognizer(),
            PostcodeRecognizer(),
            StreetRecognizer(lexicon),
            DutchNameRecognizer(lexicon),
        ):
            registry.add_recognizer(recognizer)
        self.threshold = threshold
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=_nlp_engine(), supported_languages=[LANGUAGE])

    def analyze(self, text: str) -> list[Finding]:
        """Non-overlapping findings, longest and surest first where they overlap, in text order."""
        if not text or not text.strip():
            return []
        raw = self.analyzer.analyze(text=text, language=LANGUAGE, entities=ENTITIES, score_threshold=self.threshold)
        ranked = sorted(raw, key=lambda r: (-(r.end - r.start), -r.score))
        kept: list[RecognizerResult] = []
        for result in ranked:
            if all(result.end <= k.start or result.start >= k.end for k in kept):
                kept.append(result)
        return [
            Finding(
                r.entity_type, r.start, r.end, r.score, str((r.recognition_metadata or {}).get("recognizer_name", ""))
            )
            for r in sorted(kept, key=lambda r: r.start)
        ]

    def scrub(self, text: str) -> ScrubResult:
        """The text with every finding replaced by its Dutch label (``[TELEFOON]``, ``[NAAM]`` …)."""
        findings = self.analyze(text)
        parts: list[str] = []
        cursor = 0
        for finding in findings:
            parts.append(text[cursor : finding.start])
            parts.append(LABELS.get(finding.entity_type, "[PERSOONSGEGEVEN]"))
            cursor = finding.end
        parts.append(text[cursor:])
        return ScrubResult("".join(parts), findings)


@lru_cache(maxsize=1)
def default_scrubber() -> Scrubber:
    """One scrubber per process: building Presidio's engine takes a moment."""
    return Scrubber()


def pseudonym(secret: str, kind: str, value: str) -> str:
    """A stable pseudonym for a private seller: keyed HMAC-SHA256, so it cannot be reversed by
    hashing guesses without the key. ``kind`` separates e-mail, phone and account name spaces."""
    normalised = re.sub(r"\s+", "", value.strip().lower())
    digest = hmac.new(secret.encode("utf-8"), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()
    return f"PS-{digest[:12]}"

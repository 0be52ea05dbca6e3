"""The one list of data categories a partnership never processes (Wgs, AVG art. 9), matched on meaning.

Ingest refuses such a column (never read), a mapping that asks for one is rejected, and the gate
refuses or scrubs such a field on the way out: all through ``forbidden_category`` below.

A name is split into words (``persoon.politiekeVoorkeur`` → persoon, politieke, voorkeur) and
matched word by word, not by substring, because the field's own vocabulary is full of near
misses: ``medisch_afval`` (medical waste), ``genetisch_gemodificeerde_organismen`` (GMOs),
``politie``, ``gezondheidsrisico`` (a hazard), ``geloofwaardigheid``. A category is named by

- a noun that denotes the personal data by itself (``nationaliteit``, ``religie``, ``gezondheid``);
- a known compound (``gezondheidsgegevens``, ``geloofsovertuiging``, ``vakbondslidmaatschap``) or a
  category noun joined to a data word (``gezondheid`` + ``s`` + ``toestand``);
- an adjective (``medische``, ``genetisch``, ``politieke``) only when a data word follows it or the
  name is the adjective alone: ``medische_gegevens`` and ``politieke_voorkeur`` are refused,
  ``medisch_afval`` and ``genetisch_gemodificeerd`` are not.

The legal-basis matrix file may name further categories (``wgs.forbidden_categories``); each is
added as a noun of its own category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Category:
    """One forbidden category: its Dutch name, the nouns and the adjectives that denote it."""

    name: str
    nouns: frozenset[str]
    adjectives: frozenset[str] = frozenset()
    compounds: frozenset[str] = frozenset()
    stems: tuple[str, ...] = ()  # nouns whose every compound names the data (nationaliteitcode)


def _words(*items: str) -> frozenset[str]:
    return frozenset(items)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "nationaliteit",
        _words("nationaliteit", "nationaliteiten", "nationality", "nationalities", "staatsburgerschap", "citizenship"),
        compounds=_words("tweedenationaliteit"),
        stems=("nationaliteit", "staatsburgerschap"),
    ),
    Category(
        "etnische afkomst",
        _words("etniciteit", "ethnicity", "ras", "race", "afkomst"),
        _words("etnisch", "etnische", "ethnic", "raciaal", "raciale", "racial"),
        _words("etnischeafkomst", "etnischeachtergrond"),
        ("etniciteit",),
    ),
    Category(
        "religie of levensovertuiging",
        _words("religie", "geloof", "godsdienst", "levensovertuiging", "levensbeschouwing", "religion", "faith"),
        _words("religieus", "religieuze", "religious", "kerkelijk", "kerkelijke"),
        _words("geloofsovertuiging", "godsdienstovertuiging", "kerkgenootschap"),
        ("religie", "levensovertuiging", "godsdienst"),
    ),
    Category(
        "politieke voorkeur",
        _words("partijlid", "partijlidmaatschap", "partijvoorkeur"),
        _words("politiek", "politieke", "political"),
        _words("stemvoorkeur"),
    ),
    Category(
        "gezondheid",
        _words("gezondheid", "diagnose", "diagnosis", "health", "ziektegeschiedenis", "handicap"),
        _words("medisch", "medische", "medical", "psychisch", "psychische", "psychiatrisch", "psychiatrische"),
        _words("gezondheidsgegevens", "gezondheidstoestand", "gezondheidsinformatie", "medicatie", "medicijngebruik"),
    ),
    Category(
        "seksuele leven",
        _words("geaardheid", "seksualiteit", "sexuality"),
        _words("seksueel", "seksuele", "sexual"),
        _words("seksuelegeaardheid"),
        ("seksualiteit", "geaardheid"),
    ),
    Category(
        "vakbondslidmaatschap",
        _words("vakbond", "vakbondslid", "vakbondslidmaatschap", "vakbondslidmaatschappen"),
        _words("trade"),
        stems=("vakbond",),
    ),
    Category(
        "biometrische of genetische gegevens",
        _words("biometrie", "biometrics", "vingerafdruk", "vingerafdrukken", "fingerprint", "dna", "gelaatsscan"),
        _words("biometrisch", "biometrische", "biometric", "genetisch", "genetische", "genetic"),
        _words("dnaprofiel", "genetischprofiel"),
        ("biometrie", "vingerafdruk"),
    ),
)

# Words that make an adjective mean personal data: "medische gegevens", "politieke voorkeur".
DATA_WORDS = frozenset(
    {
        "gegevens", "data", "informatie", "info", "voorkeur", "voorkeuren", "overtuiging", "opvatting",
        "opvattingen", "kenmerk", "kenmerken", "achtergrond", "afkomst", "status", "toestand", "dossier",
        "geschiedenis", "klachten", "profiel", "lidmaatschap", "geaardheid", "oorsprong", "origin", "opinion",
        "opinions", "belief", "beliefs", "record", "records", "history", "condition", "orientation", "union",
        "partij", "party", "affiliation", "signatuur", "indicatie", "keuring", "verklaring", "attest",
    }
)  # fmt: skip
# A category noun joined to one of these forms a compound that names the data: gezondheid-s-toestand.
COMPOUND_TAILS = ("gegevens", "informatie", "toestand", "status", "dossier", "overtuiging", "lidmaatschap", "profiel")

_SPLIT = re.compile(r"[^0-9a-zà-ÿ]+")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-Z])")


def words_of(name: str) -> list[str]:
    """The words of a column or field name: split on separators, dots and camelCase; lower case."""
    return [w for w in _SPLIT.split(_CAMEL.sub(" ", name).lower()) if w]


def _is_compound(word: str, category: Category) -> bool:
    if word in category.compounds or word.startswith(category.stems):
        return True
    for noun in category.nouns:
        if len(noun) < 5 or not word.startswith(noun):
            continue
        rest = word[len(noun) :].removeprefix("s")
        if rest in COMPOUND_TAILS:
            return True
    return False


@lru_cache(maxsize=4096)
def forbidden_category(name: str) -> str | None:
    """The forbidden category a column or field name denotes, or None when it may be processed."""
    words = words_of(name)
    if not words:
        return None
    joined = "".join(words)
    for category in _categories():
        for index, word in enumerate(words):
            if word in category.nouns or _is_compound(word, category) or joined in category.compounds:
                return category.name
            if word in category.adjectives:
                following = words[index + 1] if index + 1 < len(words) else ""
                if len(words) == 1 or following in DATA_WORDS:
                    return category.name
    return None


def is_forbidden_field(name: str) -> bool:
    """True if a field name denotes a forbidden category (``persoon.nationaliteit``, ``medische_gegevens``)."""
    return forbidden_category(name) is not None


@lru_cache(maxsize=1)
def _categories() -> tuple[Category, ...]:
    """The built-in categories plus any the legal-basis matrix file adds by name."""
    from plein.policy.matrix import load_matrix

    named = load_matrix().get("wgs", {}).get("forbidden_categories", []) or []
    known = {c.name for c in CATEGORIES} | {n for c in CATEGORIES for n in c.nouns}
    extra = tuple(Category(str(n), frozenset(words_of(str(n)))) for n in named if str(n).lower() not in known)
    return CATEGORIES + extra

"""Company names as plein compares them: one normalisation for linking and for search.

Partners write the same company in many ways ("Jansen Recycling B.V.", "jansen recycling bv",
"Fa. Recycling Jansen"). Lower case, diacritics folded (Coöperatie → cooperatie), apostrophes dropped
('s-Hertogenbosch → s hertogenbosch), dotted legal forms collapsed (b.v. → bv), punctuation split,
and legal-form and filler words removed, so that only the words that tell companies apart are left.
Entity resolution compares the sorted words (``name_key``); search indexes them (``tokens``). Both
come from ``words`` below, so linking and search never disagree about what a name says.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Legal forms, trade prefixes and filler words that say nothing about which company is meant.
# Dotted forms are collapsed first ("b.v." → "bv") so one list covers every spelling.
NOISE_WORDS = frozenset(
    {
        # legal forms
        "bv",
        "nv",
        "vof",
        "cv",
        "ua",
        "wa",
        "ba",
        "eenmanszaak",
        "maatschap",
        "stichting",
        "vereniging",
        "cooperatie",
        "cooperatieve",
        "holding",
        "holdings",
        # trade prefixes
        "fa",
        "firma",
        "handelsonderneming",
        # "en zonen", articles
        "en",
        "zn",
        "zonen",
        "de",
        "het",
    }
)
MAX_WORDS = 12
_DOTTED = re.compile(r"\b((?:[a-z]\.){1,3}[a-z]?\.?)(?=\s|$)")
_SPLIT = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case without diacritics or apostrophes: ``'s-Hertogenbosch`` → ``s-hertogenbosch``."""
    if text.isascii():  # most names: nothing to decompose
        return text.lower().replace("'", "").replace("`", "")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.lower().replace("'", "").replace("’", "").replace("`", "")


@lru_cache(maxsize=262_144)
def words(text: str, keep_noise: bool = False) -> tuple[str, ...]:
    """The distinct words of a name in order, noise removed (unless nothing else is left), at most
    ``MAX_WORDS``; remembered, since ranking and linking normalise the same names again and again."""
    folded = _DOTTED.sub(lambda m: m.group(1).replace(".", ""), fold(text or ""))
    distinct = list(dict.fromkeys(w for w in _SPLIT.split(folded) if w))
    if keep_noise:
        return tuple(distinct[:MAX_WORDS])
    meaningful = [w for w in distinct if w not in NOISE_WORDS]
    return tuple((meaningful or distinct)[:MAX_WORDS])


def tokens(text: str, *, keep_noise: bool = False) -> list[str]:
    """The words under which search indexes and finds a name."""
    return list(words(text, keep_noise))


def name_key(text: str) -> str:
    """The words sorted: the form entity resolution compares, which survives swapped words."""
    return " ".join(sorted(words(text)))

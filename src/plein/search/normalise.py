"""Name normalisation: how a company name becomes search tokens.

Partners write the same name in many ways ("Jansen Recycling B.V.", "jansen recycling bv",
"Recycling Jansen"). Lower case, diacritics folded (Coöperatie → cooperatie), apostrophes dropped
('s-Hertogenbosch → s hertogenbosch), punctuation split, and legal-form noise removed, so that
only the words that tell companies apart are indexed and compared.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Legal forms and noise words that say nothing about which company is meant. Dotted forms are
# collapsed first ("b.v." → "bv") so one list covers every spelling.
NOISE = frozenset(
    {
        "bv",
        "nv",
        "vof",
        "cv",
        "ua",
        "wa",
        "ba",
        "holding",
        "holdings",
        "eenmanszaak",
        "maatschap",
        "stichting",
        "vereniging",
        "cooperatie",
        "cooperatieve",
        "en",
        "zn",
        "zonen",
    }
)
_DOTTED = re.compile(r"\b((?:[a-z]\.){1,3}[a-z]?\.?)(?=\s|$)")
_SPLIT = re.compile(r"[^0-9a-z]+")
MAX_TOKENS = 12


def fold(text: str) -> str:
    """Lower case without diacritics or apostrophes: ``'s-Hertogenbosch`` → ``s-hertogenbosch``."""
    if text.isascii():  # most names: nothing to decompose
        return text.lower().replace("'", "").replace("`", "")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.lower().replace("'", "").replace("’", "").replace("`", "")


def tokens(text: str, *, keep_noise: bool = False) -> list[str]:
    """The distinct words of a name in order, legal-form noise removed (unless nothing else is left)."""
    return list(_tokens(text, keep_noise))


@lru_cache(maxsize=200_000)
def _tokens(text: str, keep_noise: bool) -> tuple[str, ...]:
    """``tokens``, remembered: ranking a result list normalises the same names again and again."""
    folded = _DOTTED.sub(lambda m: m.group(1).replace(".", ""), fold(text))
    words = [w for w in _SPLIT.split(folded) if w]
    seen: dict[str, None] = {}
    for word in words:
        seen.setdefault(word, None)
    distinct = list(seen)
    if keep_noise:
        return tuple(distinct[:MAX_TOKENS])
    meaningful = [w for w in distinct if w not in NOISE]
    return tuple((meaningful or distinct)[:MAX_TOKENS])


def normalise(text: str) -> str:
    """The name as one comparable string (tokens joined by spaces), for re-ranking."""
    return " ".join(tokens(text))

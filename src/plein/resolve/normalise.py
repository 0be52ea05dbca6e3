"""Normalisation of company names, postcodes and house numbers before comparison.

Partners write the same company in many ways: upper or lower case, with or without the legal form
(``B.V.``, ``BV``, ``V.O.F.``), with ``Fa.`` or ``Handelsonderneming`` in front, words swapped.
Those differences say nothing about identity, so they are removed before Splink compares names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NOISE_TOKENS = frozenset(
    {
        "bv",
        "nv",
        "vof",
        "cv",
        "ua",
        "holding",
        "fa",
        "firma",
        "handelsonderneming",
        "eenmanszaak",
        "de",
        "het",
    }
)
_PUNCT = re.compile(r"[^a-z0-9& ]+")
_DOTTED = re.compile(r"\b([a-z])\.(?=[a-z]\.)")


@lru_cache(maxsize=262144)
def name_tokens(name: str) -> tuple[str, ...]:
    """Meaningful lower-case tokens of a company name, legal form and filler words removed."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"\b([a-z])\.([a-z])\.(?:([a-z])\.)?", lambda m: "".join(g for g in m.groups() if g), text)
    text = _PUNCT.sub(" ", text.replace("&", " & "))
    return tuple(t for t in text.split() if t not in NOISE_TOKENS and t != "&")


def name_key(name: str) -> str:
    """Sorted tokens: a key that survives swapped words."""
    return " ".join(sorted(name_tokens(name)))


def postcode_key(postcode: str | None) -> str | None:
    """``1234AB`` without spaces, upper case; None when empty."""
    if not postcode:
        return None
    compact = re.sub(r"\s+", "", str(postcode)).upper()
    return compact or None


def house_number_key(value: str | int | None) -> str | None:
    """The digits of a house number (``12a`` → ``12``); None when there are none."""
    if value is None:
        return None
    digits = re.match(r"\s*(\d+)", str(value))
    return digits.group(1) if digits else None


def kvk_key(value: str | None) -> str | None:
    """An 8-digit KvK number or None."""
    if not value:
        return None
    digits = re.sub(r"[\s.]", "", str(value))
    return digits if len(digits) == 8 and digits.isdigit() else None

"""Categories of data that a partnership may not process under the Wgs (and AVG art. 9/10).

A source column or mapping target whose name falls in one of these categories is refused: the
column is never read, and a mapping that asks for it is rejected before any row is imported.
"""

from __future__ import annotations

import re

from plein.policy.matrix import is_forbidden_field  # the legal-basis matrix's own Wgs list

FORBIDDEN_CATEGORIES: dict[str, tuple[str, ...]] = {
    "nationaliteit": ("nationaliteit", "nationality", "staatsburgerschap"),
    "etnische afkomst": ("etnisch", "etniciteit", "afkomst", "ethnic", "ras"),
    "religie of levensovertuiging": ("religie", "geloof", "levensovertuiging", "religion"),
    "politieke voorkeur": ("politiek", "partijlid", "political"),
    "gezondheid": ("gezondheid", "medisch", "diagnose", "health"),
    "seksuele leven": ("seksue", "geaardheid"),
    "vakbondslidmaatschap": ("vakbond",),
    "biometrische of genetische gegevens": ("biometri", "genetisch", "vingerafdruk"),
}

_WORD = re.compile(r"[a-z]+")


def forbidden_category(name: str) -> str | None:
    """The Wgs category a column or field name falls in, or None when it is allowed."""
    if is_forbidden_field(name):
        return "Wgs-matrix"
    lowered = name.lower()
    words = _WORD.findall(lowered)
    for category, stems in FORBIDDEN_CATEGORIES.items():
        for stem in stems:
            if stem == "ras":
                if "ras" in words:
                    return category
            elif stem in lowered:
                return category
    return None

"""Comparison keys for house numbers and KvK numbers before Splink compares them.

Names and postcodes are normalised in ``plein.core`` (``core.names.name_key`` and
``core.identifiers.postcode_key``), the same way search normalises them.
"""

from __future__ import annotations

import re


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

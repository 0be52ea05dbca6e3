"""Validation and normalisation of Dutch identifiers.

python-stdnum covers BSN/RSIN (elfproef) and postcodes; KvK numbers and vestigingsnummers have no
checksum (only their length and digits are fixed), which stdnum does not model, so they are checked
here with stdnum's own cleaning helpers. Every failure is a ``ValidationError`` whose message names
the field and the value.
"""

from __future__ import annotations

from stdnum import exceptions as stdnum_errors
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import postcode as stdnum_postcode
from stdnum.util import clean, isdigits

from plein.errors import ValidationError

NEVER_ISSUED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})


def _digits(value: str, length: int, label: str) -> str:
    number = clean(str(value), " .-").strip()
    if not number:
        raise ValidationError(f"{label} is leeg; verwacht {length} cijfers.")
    if not isdigits(number):
        raise ValidationError(f"{label} {value!r} bevat andere tekens dan cijfers.")
    if len(number) != length:
        raise ValidationError(f"{label} {value!r} moet {length} cijfers hebben, niet {len(number)}.")
    return number


def validate_kvk(value: str) -> str:
    """A KvK number: exactly 8 digits (spaces and dots allowed in input)."""
    number = _digits(value, 8, "KvK-nummer")
    if number == "00000000":
        raise ValidationError(f"KvK-nummer {value!r} bestaat niet (alleen nullen).")
    return number


def validate_establishment_number(value: str) -> str:
    """A vestigingsnummer: exactly 12 digits."""
    number = _digits(value, 12, "Vestigingsnummer")
    if number == "0" * 12:
        raise ValidationError(f"Vestigingsnummer {value!r} bestaat niet (alleen nullen).")
    return number


def _elfproef(value: str, label: str) -> str:
    number = _digits(str(value).zfill(9) if isdigits(str(value).strip()) else value, 9, label)
    try:
        return str(stdnum_bsn.validate(number))
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(f"{label} {value!r} voldoet niet aan de elfproef.") from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(f"{label} {value!r} is ongeldig: {exc}.") from exc


def validate_rsin(value: str) -> str:
    """An RSIN: 9 digits passing the elfproef (the same test as the BSN)."""
    return _elfproef(value, "RSIN")


def validate_bsn(value: str) -> str:
    """A BSN: 9 digits passing the elfproef."""
    return _elfproef(value, "BSN")


def validate_postcode(value: str) -> str:
    """A Dutch postcode, normalised to ``1234 AB``; SA, SD and SS are never issued."""
    raw = str(value)
    compact = clean(raw, " -").upper().strip()
    if len(compact) != 6 or not isdigits(compact[:4]) or not compact[4:].isalpha() or not compact[4:].isascii():
        raise ValidationError(f"Postcode {raw!r} heeft niet de vorm 1234 AB.")
    if compact[0] == "0":
        raise ValidationError(f"Postcode {raw!r} kan niet met een 0 beginnen.")
    if compact[4:] in NEVER_ISSUED_POSTCODE_LETTERS:
        raise ValidationError(f"Postcode {raw!r}: de letters {compact[4:]} worden nooit uitgegeven.")
    try:
        stdnum_postcode.validate(compact)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(f"Postcode {raw!r} is ongeldig.") from exc
    return _postcode_form(compact)


def _postcode_form(compact: str) -> str:
    """The one written form of a postcode in plein: four digits, a space, two capitals (``1234 AB``)."""
    return f"{compact[:4]} {compact[4:]}"


def postcode_key(value: str | None) -> str | None:
    """A postcode to compare on, lenient: ``1234 AB`` for anything shaped like one, else the value
    compacted and upper-cased (two spellings of one wrong value still meet); None when empty."""
    if not value:
        return None
    compact = clean(str(value), " -").upper().strip()
    if not compact:
        return None
    if len(compact) == 6 and isdigits(compact[:4]) and compact[4:].isalpha() and compact[4:].isascii():
        return _postcode_form(compact)
    return compact


def is_valid(validator: object, value: str) -> bool:
    """True when ``validator(value)`` accepts the value; for filters and data-quality counts."""
    try:
        validator(value)  # type: ignore[operator]
    except ValidationError:
        return False
    return True

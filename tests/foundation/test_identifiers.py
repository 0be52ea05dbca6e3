"""Dutch identifiers: valid ones normalised, invalid ones a clear ValidationError naming the value."""

import pytest

from plein.core.identifiers import (
    is_valid,
    validate_bsn,
    validate_establishment_number,
    validate_kvk,
    validate_postcode,
    validate_rsin,
)
from plein.errors import ValidationError


@pytest.mark.parametrize(
    ("raw", "expected"), [("12345678", "12345678"), ("1234 5678", "12345678"), ("69599084", "69599084")]
)
def test_kvk_valid(raw: str, expected: str) -> None:
    assert validate_kvk(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1234567", "8 cijfers"),
        ("123456789", "8 cijfers"),
        ("1234567a", "cijfers"),
        ("00000000", "bestaat niet"),
        ("", "leeg"),
    ],
)
def test_kvk_invalid(raw: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_kvk(raw)
    assert fragment in caught.value.message
    assert "KvK-nummer" in caught.value.message


def test_establishment_number() -> None:
    assert validate_establishment_number("0000 1234 5678") == "000012345678"
    for bad in ("12345678901", "1234567890123", "12345678901x", "000000000000"):
        with pytest.raises(ValidationError, match="Vestigingsnummer"):
            validate_establishment_number(bad)


@pytest.mark.parametrize("validator", [validate_bsn, validate_rsin])
def test_elfproef_valid(validator: object) -> None:
    assert validator("111222333") == "111222333"  # type: ignore[operator]
    assert validator("123456782") == "123456782"  # type: ignore[operator]


@pytest.mark.parametrize("validator", [validate_bsn, validate_rsin])
@pytest.mark.parametrize("bad", ["111222334", "123456789", "12345678a", "1234567890"])
def test_elfproef_invalid(validator: object, bad: str) -> None:
    with pytest.raises(ValidationError):
        validator(bad)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1234AB", "1234 AB"), ("1234 ab", "1234 AB"), ("9999 ZZ", "9999 ZZ"), ("5211-AB", "5211 AB")],
)
def test_postcode_valid(raw: str, expected: str) -> None:
    assert validate_postcode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1234 SA", "nooit"),
        ("1234 SD", "nooit"),
        ("1234 ss", "nooit"),
        ("0123 AB", "0"),
        ("12345", "vorm"),
        ("1234 A", "vorm"),
        ("ABCD 12", "vorm"),
        ("1234 ÄB", "vorm"),
    ],
)
def test_postcode_invalid(raw: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_postcode(raw)
    assert fragment in caught.value.message
    assert raw in caught.value.message


def test_is_valid() -> None:
    assert is_valid(validate_postcode, "1011 AB")
    assert not is_valid(validate_postcode, "1011 SS")

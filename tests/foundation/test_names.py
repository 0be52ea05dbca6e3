"""One normalisation of company names and postcodes for linking and for search."""

from __future__ import annotations

import pytest

from plein.core.identifiers import postcode_key, validate_postcode
from plein.core.names import name_key, tokens


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Jansen Recycling B.V.", "recycling jansen bv"),
        ("Fa. De Boer Transport", "Boer Transport V.O.F."),
        ("Handelsonderneming Bakker & Zn.", "Bakker en Zonen"),
        ("Coöperatie Afval U.A.", "cooperatie afval"),
    ],
)
def test_linking_and_search_agree_on_what_a_name_says(one: str, other: str) -> None:
    """The spellings resolution treats as one name are the ones search finds under the same tokens."""
    assert name_key(one) == name_key(other)
    assert sorted(tokens(one)) == sorted(tokens(other))
    assert name_key(one) == " ".join(sorted(tokens(one)))


def test_a_name_of_noise_only_keeps_its_words() -> None:
    assert tokens("B.V.") == ["bv"]
    assert name_key("Holding B.V.") == "bv holding"


@pytest.mark.parametrize("raw", ["1234ab", "1234 AB", " 1234-ab ", "1234AB"])
def test_one_postcode_form(raw: str) -> None:
    assert postcode_key(raw) == validate_postcode(raw) == "1234 AB"


def test_postcode_key_is_lenient() -> None:
    assert postcode_key("") is None and postcode_key(None) is None
    assert postcode_key("12 345") == "12345"  # not a postcode: compacted, still comparable

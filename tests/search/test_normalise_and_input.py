"""Name normalisation, input parsing and the incremental index update."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plein.core.models import Address, Establishment, LegalEntity, Organisation
from plein.core.names import tokens
from plein.errors import ValidationError
from plein.search.criteria import parse_circle, parse_free_text, parse_postcode_range, read_kvk_file
from plein.search.geo import point_in_polygon
from plein.search.index import reindex, update_establishments
from plein.search.subjects import name_score
from plein.search.vocab import vocabulary


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jansen Recycling B.V.", ["jansen", "recycling"]),
        ("jansen recycling bv", ["jansen", "recycling"]),
        ("Coöperatie Afval U.A.", ["afval"]),
        ("'s-Hertogenbosch Transport Holding", ["s", "hertogenbosch", "transport"]),
        ("B.V.", ["bv"]),
    ],
)
def test_tokens_drop_legal_form_noise_and_diacritics(name: str, expected: list[str]) -> None:
    assert tokens(name) == expected


def test_name_score_ignores_order_and_tolerates_typos() -> None:
    exact = name_score(["jansen", "recycling"], ["jansen", "recycling"], typing=False)
    swapped = name_score(["recycling", "jansen"], ["jansen", "recycling"], typing=False)
    typo = name_score(["jansne", "recycling"], ["jansen", "recycling"], typing=False)
    other = name_score(["pietersen", "bouw"], ["jansen", "recycling"], typing=False)
    assert exact == swapped == 100
    assert exact > typo > other
    assert name_score(["jansen", "rec"], ["jansen", "recycling"], typing=True) == 100


def test_free_text_is_recognised() -> None:
    assert parse_free_text("12345678").kvk == "12345678"
    assert parse_free_text("0000 1234 5678").establishment_number == "000012345678"
    assert parse_free_text("1234ab 12").postcode == "1234 AB"
    assert parse_free_text("1234ab 12").house_number == 12
    street = parse_free_text("Dorpsstraat 12a")
    assert (street.street, street.house_number) == ("Dorpsstraat", 12)
    assert parse_free_text("Jansen Recycling").name == "Jansen Recycling"
    with pytest.raises(ValidationError, match="8 cijfers"):
        parse_free_text("12345")


def test_postcode_ranges() -> None:
    assert parse_postcode_range("1000AA", "1099ZZ") == parse_postcode_range("1000", "1099")
    assert parse_postcode_range("1234 ab", "").end == "1234 AB"
    for start, end in (("12345", "2000AA"), ("2000AA", "1000AA"), ("1000SA", "1000ZZ"), ("0999AA", "1000AA")):
        with pytest.raises(ValidationError):
            parse_postcode_range(start, end)


def test_circle_and_polygon_limits() -> None:
    assert parse_circle(52.0, 5.0, 50).radius_m == 50
    for radius in (-1, 0, 1e9, float("nan")):
        with pytest.raises(ValidationError, match="straal"):
            parse_circle(52.0, 5.0, radius)
    with pytest.raises(ValidationError, match="niet in Nederland"):
        parse_circle(5.0, 52.0, 100)
    square = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
    assert point_in_polygon(0.5, 0.5, square)
    assert point_in_polygon(0.0, 0.5, square)  # on the edge
    assert not point_in_polygon(1.5, 0.5, square)


def test_kvk_files() -> None:
    assert read_kvk_file(b"\xef\xbb\xbfKvK-nummer\r\n12345678\r\n87654321;x\r\n12345678\n") == ["12345678", "87654321"]
    with pytest.raises(ValidationError, match="geen tekstbestand"):
        read_kvk_file(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ValidationError, match="geen UTF-8"):
        read_kvk_file("12345678\nCafé".encode("latin-1"))
    with pytest.raises(ValidationError, match="nummer 2"):
        read_kvk_file(b"12345678\n1234567x\n")
    with pytest.raises(ValidationError, match="te veel"):
        read_kvk_file("\n".join(f"{i:08d}" for i in range(1, 10_002)).encode())


def test_incremental_update_keeps_the_index_current(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        org = Organisation(code="KVK", name="KvK", kind="basisregistratie", legal_domain="bestuursrecht")
        session.add(org)
        session.flush()
        address = Address(
            street="Markt",
            house_number=1,
            postcode="5211 JX",
            city="'s-Hertogenbosch",
            municipality="'s-Hertogenbosch",
            latitude=51.69,
            longitude=5.30,
        )
        legal = LegalEntity(
            kvk="12345678",
            name="Bossche Bouw B.V.",
            legal_form="bv",
            source_organisation_id=org.id,
            source_system="hr",
            source_key="1",
        )
        session.add_all([address, legal])
        session.flush()
        est = Establishment(
            name="Bossche Bouw",
            trade_names=["Markt Slopers"],
            legal_entity_id=legal.id,
            address_id=address.id,
            source_organisation_id=org.id,
            source_system="hr",
            source_key="e1",
        )
        session.add(est)
        session.flush()
        est_id = est.id
    assert reindex(engine) == 1
    with Session(engine) as session, session.begin():
        vocab = vocabulary(session)
        assert {"bossche", "bouw", "markt", "slopers"} <= set(vocab.df)
        renamed = session.get(Establishment, est_id)
        assert renamed is not None
        renamed.name, renamed.trade_names = "Bossche Asbestsanering", []
        session.flush()
        update_establishments(session, [est_id])
    with Session(engine) as session:
        vocab = vocabulary(session)
        assert "asbestsanering" in vocab.df and "slopers" not in vocab.df
        assert vocab.df["bouw"] == 1  # still in the legal entity's name

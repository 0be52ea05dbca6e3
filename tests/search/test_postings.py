"""Packed posting lists: their algebra, kept equal to ``search_token`` by rebuilds, updates and the
migration that introduced them (both databases)."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
from alembic import command
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from plein.core.models import Address, Establishment, LegalEntity, Organisation
from plein.search import postings
from plein.search.index import reindex, update_establishments
from plein.search.models import SearchToken, SearchVocab
from plein.store.engine import create_engine_for
from plein.store.migrate import alembic_config, upgrade


def test_pack_union_and_intersect_agree_with_sets() -> None:
    rng = random.Random(11)
    for _ in range(200):
        lists = [sorted(rng.sample(range(1, 5_000), rng.randint(0, 300))) for _ in range(rng.randint(1, 6))]
        arrays = [postings.unpack(postings.pack(ids)) for ids in lists]
        assert [a.tolist() for a in arrays] == lists
        merged = postings.union(arrays)
        assert merged.tolist() == sorted(set().union(*map(set, lists)))
        other = postings.unpack(postings.pack(rng.sample(range(1, 5_000), rng.randint(0, 400))))
        assert postings.intersect(merged, other).tolist() == sorted(set(merged.tolist()) & set(other.tolist()))
        assert postings.intersect(other, merged).tolist() == sorted(set(merged.tolist()) & set(other.tolist()))
    # Four bytes an id while every id fits (half the bytes to read), eight otherwise.
    assert postings.pack([5, 3, 5]) == b"\x04" + np.array([3, 5], dtype="<u4").tobytes()
    assert postings.pack([5, 3, 5, 2**40]) == b"\x08" + np.array([3, 5, 2**40], dtype="<i8").tobytes()
    assert postings.unpack(postings.pack([2**32 - 1, 2**32, 7])).tolist() == [7, 2**32 - 1, 2**32]
    assert postings.unpack(None).size == 0


def _as_rows(engine: Engine) -> tuple[dict[str, list[int]], dict[str, list[int]], dict[str, int]]:
    """The postings per token as search_token holds them, as the packed lists hold them, and the df."""
    with Session(engine) as session:
        by_rows: defaultdict[str, list[int]] = defaultdict(list)
        for token, establishment_id in session.execute(
            select(SearchToken.token, SearchToken.establishment_id).order_by(
                SearchToken.token, SearchToken.establishment_id
            )
        ):
            by_rows[token].append(establishment_id)
        packed = {t: a.tolist() for t, a in postings.read(session, [*by_rows, "nergens"]).items()}
        df = {token: df for token, df in session.execute(select(SearchVocab.token, SearchVocab.df))}
    return dict(by_rows), packed, df


def _establishment(session: Session, org_id: int, address_id: int, name: str, trade: list[str]) -> int:
    legal = LegalEntity(
        name=f"{name} B.V.", legal_form="bv", source_organisation_id=org_id, source_system="hr", source_key=name
    )
    session.add(legal)
    session.flush()
    est = Establishment(
        name=name,
        trade_names=trade,
        legal_entity_id=legal.id,
        address_id=address_id,
        source_organisation_id=org_id,
        source_system="hr",
        source_key=f"e-{name}",
    )
    session.add(est)
    session.flush()
    return est.id


def test_rebuild_and_updates_keep_packed_lists_equal_to_the_token_rows(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        org = Organisation(code="KVK", name="KvK", kind="basisregistratie", legal_domain="bestuursrecht")
        session.add(org)
        session.flush()
        address = Address(
            street="Markt", house_number=1, postcode="5211 JX", city="Oss", municipality="Oss",
            latitude=51.7, longitude=5.5,
        )  # fmt: skip
        session.add(address)
        session.flush()
        org_id, address_id = org.id, address.id
        ids = [
            _establishment(session, org_id, address_id, name, trade)
            for name, trade in (
                ("Jansen Transport", ["Jansen Logistiek"]),
                ("Jansen Recycling", []),
                ("Maas Transport", ["Haven Transport"]),
            )
        ]
    assert reindex(engine) == 3
    by_rows, packed, df = _as_rows(engine)
    assert by_rows == packed and {t: len(v) for t, v in by_rows.items()} == df
    assert packed["transport"] == sorted([ids[0], ids[2]])

    with Session(engine) as session, session.begin():
        renamed = session.get(Establishment, ids[0])
        assert renamed is not None and renamed.legal_entity is not None
        renamed.name, renamed.trade_names = "Pietersen Sloopwerken", []
        renamed.legal_entity.name = "Pietersen Sloopwerken B.V."
        added = _establishment(session, org_id, address_id, "Maas Sloopwerken", [])
        update_establishments(session, [ids[0], added])
    by_rows, packed, df = _as_rows(engine)
    assert by_rows == packed and {t: len(v) for t, v in by_rows.items()} == df
    assert "logistiek" not in packed  # its only establishment was renamed: the token is gone
    assert packed["transport"] == [ids[2]]
    assert packed["sloopwerken"] == sorted([ids[0], added])


def test_migration_packs_an_existing_index(database_url: str) -> None:
    engine = create_engine_for(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006_record_need_to_know")
    rng = random.Random(3)
    rows = {(f"w{rng.randint(1, 40)}", rng.randint(1, 3_000)) for _ in range(2_000)}
    with engine.begin() as connection:
        connection.execute(insert(SearchToken), [{"token": t, "establishment_id": e} for t, e in rows])
        connection.execute(
            text("INSERT INTO search_vocab (token, df) SELECT token, count(*) FROM search_token GROUP BY token")
        )
    upgrade(engine)
    expected: defaultdict[str, list[int]] = defaultdict(list)
    for token, establishment_id in sorted(rows):
        expected[token].append(establishment_id)
    with Session(engine) as session:
        assert {t: a.tolist() for t, a in postings.read(session, list(expected)).items()} == expected
    engine.dispose()

"""Packed posting lists: their algebra, kept equal to the names in ``search_name_use`` by rebuilds and
updates, and the migrations that introduced them (both databases)."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from alembic import command
from sqlalchemy import BigInteger, Engine, String, column, func, insert, select, table, text
from sqlalchemy.orm import Session

from plein.core.models import Address, Establishment, LegalEntity, Organisation
from plein.policy.gate import Gate
from plein.policy.roles import Actor, Purpose, Role
from plein.search import postings
from plein.search.criteria import SubjectQuery
from plein.search.index import name_id, name_tokens, needs_rebuild, reindex, update_establishments
from plein.search.models import NAME_KINDS, SearchNameUse, SearchVocab
from plein.search.subjects import search_subjects
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
    """The name ids per token as the indexed names imply them, as the packed lists hold them, and the df."""
    with Session(engine) as session:
        implied: defaultdict[str, set[int]] = defaultdict(set)
        for nid, name in session.execute(select(SearchNameUse.name_id, SearchNameUse.text)):
            assert nid == name_id(name)
            for token in name_tokens(name):
                implied[token].add(nid)
        packed = {t: a.tolist() for t, a in postings.read(session, [*implied, "nergens"]).items()}
        df = {token: df for token, df in session.execute(select(SearchVocab.token, SearchVocab.df))}
    return {t: sorted(ids) for t, ids in implied.items()}, packed, df


def _carriers(engine: Engine, token: str) -> dict[int, set[str]]:
    """Establishment id -> the kinds of name under which ``token`` finds it."""
    with Session(engine) as session:
        names = postings.read(session, [token]).get(token)
        found: defaultdict[int, set[str]] = defaultdict(set)
        if names is None:
            return {}
        rows = session.execute(
            select(SearchNameUse.establishment_id, SearchNameUse.kind).where(
                SearchNameUse.name_id.in_([int(n) for n in names])
            )
        )
        for establishment_id, kind in rows:
            found[establishment_id].add(NAME_KINDS[kind])
    return dict(found)


def _kvk_and_address(session: Session) -> tuple[int, int]:
    """The KvK (basisregistratie: visible under the own task) and one address, for establishments."""
    org = Organisation(code="KVK", name="KvK", kind="basisregistratie", legal_domain="bestuursrecht")
    session.add(org)
    session.flush()
    address = Address(
        street="Markt", house_number=1, postcode="5211 JX", city="Oss", municipality="Oss",
        latitude=51.7, longitude=5.5,
    )  # fmt: skip
    session.add(address)
    session.flush()
    return org.id, address.id


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
        org_id, address_id = _kvk_and_address(session)
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
    assert _carriers(engine, "transport") == {
        ids[0]: {"naam", "rechtspersoon"},
        ids[2]: {"naam", "rechtspersoon", "handelsnaam"},
    }
    assert _carriers(engine, "logistiek") == {ids[0]: {"handelsnaam"}}

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
    assert _carriers(engine, "transport") == {ids[2]: {"naam", "rechtspersoon", "handelsnaam"}}
    assert _carriers(engine, "sloopwerken") == {ids[0]: {"naam", "rechtspersoon"}, added: {"naam", "rechtspersoon"}}
    # "Maas Sloopwerken B.V." is a name of its own; "Maas Transport" still carries "maas".
    assert _carriers(engine, "maas") == {ids[2]: {"naam", "rechtspersoon"}, added: {"naam", "rechtspersoon"}}


_SEARCH_TOKEN = table("search_token", column("token", String), column("establishment_id", BigInteger))


def test_migration_packs_an_existing_index(database_url: str) -> None:
    engine = create_engine_for(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006_record_need_to_know")
    rng = random.Random(3)
    rows = {(f"w{rng.randint(1, 40)}", rng.randint(1, 3_000)) for _ in range(2_000)}
    with engine.begin() as connection:
        connection.execute(insert(_SEARCH_TOKEN), [{"token": t, "establishment_id": e} for t, e in rows])
        connection.execute(
            text("INSERT INTO search_vocab (token, df) SELECT token, count(*) FROM search_token GROUP BY token")
        )
        config.attributes["connection"] = connection
        command.upgrade(config, "0008_search_postings")
    expected: defaultdict[str, list[int]] = defaultdict(list)
    for token, establishment_id in sorted(rows):
        expected[token].append(establishment_id)
    with Session(engine) as session:
        assert {t: a.tolist() for t, a in postings.read(session, list(expected)).items()} == expected
    engine.dispose()


@pytest.mark.slow
def test_migration_to_name_index_empties_it_and_init_rebuilds_it(database_url: str, tmp_path: Path) -> None:
    """0010 replaces the token rows by name rows: the old index is dropped and ``plein init`` rebuilds."""
    engine = create_engine_for(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008_search_postings")
    with Session(engine) as session, session.begin():
        org_id, address_id = _kvk_and_address(session)
        est = _establishment(session, org_id, address_id, "Jansen Transport", [])
        session.execute(insert(_SEARCH_TOKEN).values(token="jansen", establishment_id=est))
        session.execute(text("INSERT INTO search_vocab (token, df) VALUES ('jansen', 1)"))
        session.execute(
            text("INSERT INTO search_state (id, version, establishments, indexed_at) VALUES (1, 5, 1, :now)"),
            {"now": dt.datetime.now(dt.UTC)},
        )
    upgrade(engine)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SearchVocab)) == 0
    assert needs_rebuild(engine)
    engine.dispose()

    def plein(*args: str) -> str:
        env = {**os.environ, "PLEIN_DATABASE_URL": database_url, "PLEIN_VAR_DIR": str(tmp_path / "var")}
        done = subprocess.run(
            [sys.executable, "-m", "plein", *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "Zoekindex opgebouwd: 1 vestigingen in " in plein("init")
    assert "Zoekindex" not in plein("init")  # built: the next init leaves it alone
    assert "Zoekindex bijgewerkt: 1 vestigingen in " in plein("search", "reindex")
    engine = create_engine_for(database_url)
    assert not needs_rebuild(engine)
    assert _carriers(engine, "jansen") == {est: {"naam", "rechtspersoon"}}
    engine.dispose()


def test_a_stale_index_row_never_shows_an_establishment_the_gate_refuses(engine: Engine) -> None:
    """The index copies each establishment's source organisation for the gate; should a copy be stale
    (the establishment changed without re-indexing), the page is checked on the establishment itself."""
    with Session(engine) as session, session.begin():
        kvk_id, address_id = _kvk_and_address(session)
        own = Organisation(code="OD-X", name="OD X", kind="omgevingsdienst", legal_domain="bestuursrecht")
        other = Organisation(code="OD-Y", name="OD Y", kind="omgevingsdienst", legal_domain="bestuursrecht")
        session.add_all([own, other])
        session.flush()
        shown = _establishment(session, kvk_id, address_id, "Kuipers Transport", [])
        hidden = _establishment(session, kvk_id, address_id, "Kuipers Transportbedrijf", [])
        own_id, other_id = own.id, other.id
    reindex(engine)
    with Session(engine) as session, session.begin():  # not re-indexed: the index still says KvK
        moved = session.get(Establishment, hidden)
        assert moved is not None
        moved.source_organisation_id = other_id
    actor = Actor(user_id=None, organisation_id=own_id, role=Role.ANALIST, username="a", organisation_code="OD-X")
    with Session(engine) as session:
        result = search_subjects(Gate(session, actor, Purpose.for_activity("toezicht")), SubjectQuery(name="kuipers"))
        session.commit()
    assert [hit.establishment_id for hit in result.hits] == [shown]

"""The demo world: deterministic for a seed, and it holds every kind of mess its ground truth lists."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plein.core.geo import distance_m
from plein.core.identifiers import validate_postcode
from plein.core.models import (
    Address,
    DemoSeedRun,
    Establishment,
    Inspection,
    LegalEntity,
    LegalEntityLink,
    Organisation,
    PersonRoleLink,
    Record,
    Transport,
)
from plein.demo.geo import CITY_BY_NAME
from plein.demo.seed import seed_demo_world
from plein.demo.world import iter_truth_records
from plein.errors import PleinError, ValidationError
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade

FINGERPRINT_QUERIES = (
    select(LegalEntity.id, LegalEntity.kvk, LegalEntity.name, LegalEntity.dissolved_on).order_by(LegalEntity.id),
    select(Establishment.id, Establishment.name, Establishment.establishment_number, Establishment.address_id).order_by(
        Establishment.id
    ),
    select(Address.id, Address.postcode, Address.latitude, Address.longitude).order_by(Address.id),
    select(
        Record.id,
        Record.kind,
        Record.establishment_id,
        Record.occurred_on,
        Record.reported_name,
        Record.reported_kvk,
        Record.confidentiality,
    ).order_by(Record.id),
)


def fingerprint(engine: Engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for query in FINGERPRINT_QUERIES:
            for row in connection.execute(query):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def seed_sqlite(directory: Path, seed: int) -> tuple[Engine, dict[str, Any]]:
    engine = create_engine_for(f"sqlite:///{directory / f'world-{seed}.db'}")
    upgrade(engine)
    seed_demo_world(engine, "small", seed, directory / f"demo-{seed}")
    truth = json.loads((directory / f"demo-{seed}" / "ground-truth.json").read_text(encoding="utf-8"))
    return engine, truth


@pytest.mark.slow
def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    for name in "abc":
        (tmp_path / name).mkdir()
    first, truth_first = seed_sqlite(tmp_path / "a", 3)
    second, truth_second = seed_sqlite(tmp_path / "b", 3)
    other, truth_other = seed_sqlite(tmp_path / "c", 4)
    assert truth_first == truth_second
    assert fingerprint(first) == fingerprint(second)
    assert (tmp_path / "a/demo-3/record-truth.csv").read_bytes() == (
        tmp_path / "b/demo-3/record-truth.csv"
    ).read_bytes()
    assert truth_other != truth_first
    assert fingerprint(other) != fingerprint(first)


@pytest.mark.slow
def test_same_world_on_every_backend(seeded_engine: Engine, tmp_path: Path) -> None:
    reference, _truth = seed_sqlite(tmp_path, 7)
    assert fingerprint(seeded_engine) == fingerprint(reference)


def test_sizes_and_counts(seeded_engine: Engine) -> None:
    with seeded_engine.connect() as connection:
        run = connection.execute(select(DemoSeedRun.size, DemoSeedRun.seed, DemoSeedRun.counts)).one()
        canonical = connection.scalar(
            select(Establishment.id)
            .join(Organisation, Organisation.id == Establishment.source_organisation_id)
            .where(Organisation.code == "KVK")
            .with_only_columns(func.count())
        )
        records = connection.scalar(select(func.count()).select_from(Record))
    assert run.size == "small" and run.seed == 7
    assert 2_000 <= canonical <= 2_100  # plus the successors' new establishments
    assert records == 10_000 == run.counts["record"]


def _truth(engine: Engine) -> tuple[dict[str, Any], Path]:
    with engine.connect() as connection:
        path = Path(connection.scalar(select(DemoSeedRun.ground_truth_path)))
    return json.loads(path.read_text(encoding="utf-8")), path.parent


def test_duplicate_establishments_and_name_variants(seeded_engine: Engine) -> None:
    truth, _ = _truth(seeded_engine)
    duplicates = {int(k): v for k, v in truth["duplicate_establishments"].items()}
    assert len(duplicates) >= 20
    with Session(seeded_engine) as connection:
        for dup_id, canonical_id in duplicates.items():
            dup = connection.execute(
                select(Establishment, Address, Organisation.code)
                .join(Address, Address.id == Establishment.address_id)
                .join(Organisation, Organisation.id == Establishment.source_organisation_id)
                .where(Establishment.id == dup_id)
            ).one()
            canon = connection.execute(
                select(Establishment, Address)
                .join(Address, Address.id == Establishment.address_id)
                .where(Establishment.id == canonical_id)
            ).one()
            assert dup.code != "KVK"
            assert dup[0].legal_entity_id is None
            assert dup[0].name != canon[0].name
            assert validate_postcode(dup[1].postcode) == canon[1].postcode
            assert dup[1].house_number == canon[1].house_number
        record_variants = [v for v in truth["name_variants"] if "record_id" in v]
        assert len(record_variants) >= 200
        for variant in record_variants[:300]:
            reported = connection.scalar(select(Record.reported_name).where(Record.id == variant["record_id"]))
            assert reported == variant["variant"] != variant["true_name"]


def test_missing_and_wrong_kvk(seeded_engine: Engine) -> None:
    truth, directory = _truth(seeded_engine)
    true_establishment = dict(iter_truth_records(directory / "record-truth.csv"))
    assert len(true_establishment) == 10_000
    assert len(truth["missing_kvk"]) >= 300 and len(truth["wrong_kvk"]) >= 50
    with seeded_engine.connect() as connection:
        for record_id in truth["missing_kvk"][:200]:
            reported = connection.scalar(select(Record.reported_kvk).where(Record.id == record_id))
            true_kvk = connection.scalar(
                select(LegalEntity.kvk)
                .join(Establishment, Establishment.legal_entity_id == LegalEntity.id)
                .where(Establishment.id == true_establishment[record_id])
            )
            assert reported == "" and true_kvk and len(true_kvk) == 8
        for wrong in truth["wrong_kvk"][:200]:
            reported = connection.scalar(select(Record.reported_kvk).where(Record.id == wrong["record_id"]))
            true_kvk = connection.scalar(
                select(LegalEntity.kvk)
                .join(Establishment, Establishment.legal_entity_id == LegalEntity.id)
                .where(Establishment.id == true_establishment[wrong["record_id"]])
            )
            assert reported == wrong["reported"] != wrong["true"] == true_kvk


def test_kvk_successions(seeded_engine: Engine) -> None:
    truth, directory = _truth(seeded_engine)
    successions = truth["kvk_successions"]
    assert len(successions) >= 3
    true_establishment = dict(iter_truth_records(directory / "record-truth.csv"))
    by_establishment: dict[int, list[int]] = defaultdict(list)
    for record_id, establishment_id in true_establishment.items():
        by_establishment[establishment_id].append(record_id)
    with seeded_engine.connect() as connection:
        for item in successions:
            link = connection.execute(
                select(LegalEntityLink).where(LegalEntityLink.from_legal_entity_id == item["old_legal_entity_id"])
            ).one()
            assert link.kind == "opvolging" and link.to_legal_entity_id == item["new_legal_entity_id"]
            old, new = (
                connection.execute(select(Establishment).where(Establishment.id == i)).one()
                for i in (item["old_establishment_id"], item["new_establishment_id"])
            )
            assert old.address_id == new.address_id == item["address_id"]
            assert str(old.ended_on) == item["date"] == str(new.started_on)
            kvks = {
                le: connection.scalar(select(LegalEntity.kvk).where(LegalEntity.id == le))
                for le in (item["old_legal_entity_id"], item["new_legal_entity_id"])
            }
            assert kvks[item["old_legal_entity_id"]] == item["old_kvk"] != item["new_kvk"]
            dissolved = connection.scalar(
                select(LegalEntity.dissolved_on).where(LegalEntity.id == item["old_legal_entity_id"])
            )
            assert str(dissolved) == item["date"]
            people = {
                le: set(
                    connection.scalars(select(PersonRoleLink.person_id).where(PersonRoleLink.legal_entity_id == le))
                )
                for le in (item["old_legal_entity_id"], item["new_legal_entity_id"])
            }
            assert people[item["old_legal_entity_id"]] == people[item["new_legal_entity_id"]] == set(item["person_ids"])
            for record_id in by_establishment[item["old_establishment_id"]]:
                occurred = connection.scalar(select(Record.occurred_on).where(Record.id == record_id))
                assert str(occurred) < item["date"]
            for record_id in by_establishment[item["new_establishment_id"]]:
                occurred = connection.scalar(select(Record.occurred_on).where(Record.id == record_id))
                assert str(occurred) >= item["date"]


def test_spread_findings_no_partner_sees_alone(seeded_engine: Engine) -> None:
    truth, _ = _truth(seeded_engine)
    assert len(truth["spread_findings"]) >= 3
    with seeded_engine.connect() as connection:
        for pattern in truth["spread_findings"]:
            rows = connection.execute(
                select(Organisation.code, Inspection.outcome, Record.establishment_id)
                .select_from(Inspection)
                .join(Organisation, Organisation.id == Inspection.source_organisation_id)
                .where(Inspection.id.in_(pattern["record_ids"]))
            ).all()
            assert len(rows) == len(pattern["record_ids"]) >= 4
            per_org = Counter(row.code for row in rows)
            assert len(per_org) >= 4 and max(per_org.values()) == 1
            assert {row.outcome for row in rows} <= {"overtreding", "waarschuwing"}
            assert {row.establishment_id for row in rows} == {pattern["establishment_id"]}


def test_circular_waste_flows(seeded_engine: Engine) -> None:
    truth, _ = _truth(seeded_engine)
    assert len(truth["circular_waste_flows"]) >= 2
    with seeded_engine.connect() as connection:
        for flow in truth["circular_waste_flows"]:
            edges = set(
                connection.execute(
                    select(Transport.establishment_id, Transport.to_establishment_id).where(
                        Transport.id.in_(flow["transport_ids"])
                    )
                )
            )
            a, b, c = flow["establishment_ids"]
            assert edges == {(a, b), (b, c), (c, a)}
            for person_id in flow["shared_person_ids"]:
                entities = set(
                    connection.scalars(
                        select(PersonRoleLink.legal_entity_id).where(PersonRoleLink.person_id == person_id)
                    )
                )
                assert set(flow["legal_entity_ids"]) <= entities


def test_addresses_belong_to_their_city(seeded_engine: Engine) -> None:
    with seeded_engine.connect() as connection:
        addresses = connection.execute(select(Address)).all()
    assert len(addresses) >= 2_000
    for address in addresses:
        city = (
            CITY_BY_NAME[address.city]
            if address.city in CITY_BY_NAME
            else next(c for c in CITY_BY_NAME.values() if c.name.upper() == address.city)
        )
        postcode = validate_postcode(address.postcode)
        assert any(low <= int(postcode[:4]) <= high for low, high in city.postcode_ranges), address
        assert (
            distance_m(address.latitude, address.longitude, city.latitude, city.longitude) <= city.radius_km * 1000 + 1
        )


@pytest.mark.slow
def test_refuses_a_filled_database_and_unknown_size(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="Onbekende grootte 'huge'"):
        seed_demo_world(engine, "huge", 1, tmp_path)
    seed_demo_world(engine, "small", 2, tmp_path / "one")
    with pytest.raises(PleinError, match="bevat al gegevens"):
        seed_demo_world(engine, "small", 2, tmp_path / "two")
    result = seed_demo_world(engine, "small", 2, tmp_path / "three", replace=True)
    assert result.counts["record"] == 10_000
    from plein.audit.models import AuditEntry

    with Session(engine) as session:
        seeds = session.scalars(select(AuditEntry.name).where(AuditEntry.name == "demo.wereld_aangemaakt")).all()
    assert len(seeds) == 2  # the replaced world's entry is kept beside the new one
    from plein.audit.appender import seal_all
    from plein.audit.keys import audit_keys
    from plein.audit.query import verify_log

    seal_all(engine, audit_keys(), None)
    verdict = verify_log(engine, audit_keys())
    assert verdict.intact and verdict.checked >= 2, verdict.reason


def test_indexes_are_back_after_seeding(seeded_engine: Engine) -> None:
    from sqlalchemy import inspect

    from plein.store.registry import Base

    inspector = inspect(seeded_engine)
    for table in ("record", "establishment", "address", "legal_entity"):
        present = {index["name"] for index in inspector.get_indexes(table)}
        expected = {index.name for index in Base.metadata.tables[table].indexes if not index.unique}
        assert expected <= present, (table, expected - present)


def test_seeding_is_in_the_audit_log(seeded_engine: Engine) -> None:
    from plein.audit.models import AuditEntry

    with Session(seeded_engine) as session:
        names = set(session.scalars(select(AuditEntry.name)))
    assert "demo.wereld_aangemaakt" in names

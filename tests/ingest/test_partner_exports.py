"""The demo partners' exports import through their shipped mappings, idempotently and faithfully."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from plein.core.models import Inspection, Record, Report
from plein.demo.exports import DEMO_EXPORTS, PLANTED_SQUIT_ROWS
from plein.ingest.importer import import_file
from plein.ingest.models import QuarantinedRow
from plein.ingest.sources import register_source
from plein.store.engine import create_engine_for, session_factory
from plein.store.migrate import upgrade
from tests.ingest.helpers import add_organisations

SYSTEMS = {"OD-NZKG": "Squit XO", "DCMR": "Mozard", "ILT": "Inspectieview-ILT"}


@pytest.fixture(scope="module")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, dict[str, tuple]]]]:
    """A small demo world seeded once into SQLite: its export files and the records they came from."""
    from plein.demo.seed import seed_demo_world

    directory = tmp_path_factory.mktemp("exports")
    engine = create_engine_for(f"sqlite:///{directory / 'world.db'}")
    upgrade(engine)
    seed_demo_world(engine, size="small", seed=11, out_dir=directory / "demo")
    truth: dict[str, dict[str, tuple]] = {}
    with session_factory(engine)() as session:
        for model in (Inspection, Report):
            for record in session.scalars(select(model)):
                detail = (record.outcome, record.severity) if isinstance(record, Inspection) else (record.status,)
                truth[record.source_key] = {
                    "base": (
                        record.occurred_on,
                        record.theme_code,
                        record.confidentiality,
                        record.reported_name,
                        record.reported_kvk,
                        record.reported_postcode,
                        record.reported_house_number,
                    ),
                    "detail": detail,
                }
    engine.dispose()
    yield directory / "demo" / "exports", truth


def _register(engine: Engine) -> None:
    add_organisations(engine, *SYSTEMS)
    with session_factory(engine).begin() as session:
        for export in DEMO_EXPORTS:
            register_source(
                session,
                code=export.source_code,
                organisation_code=export.organisation_code,
                source_system=SYSTEMS[export.organisation_code],
                mapping_name=export.mapping_name,
            )


@pytest.mark.slow
def test_every_demo_partner_file_imports_faithfully(engine: Engine, demo_exports) -> None:
    folder, truth = demo_exports
    _register(engine)
    total = 0
    for export in DEMO_EXPORTS:
        summary = import_file(engine, export.source_code, folder / export.file_name)
        planted = len(PLANTED_SQUIT_ROWS) if export.mapping_name == "squit-inspecties" else 0
        assert summary.rows_in > planted, export.file_name
        assert summary.rows_quarantined == planted, export.file_name  # exactly the planted bad rows
        assert summary.rows_new == summary.rows_in - planted
        total += summary.rows_in - planted
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == total
        quarantined = session.execute(select(QuarantinedRow.field, QuarantinedRow.reason)).all()
        assert sorted(f for f, _ in quarantined) == sorted(c for c, _ in PLANTED_SQUIT_ROWS)
        assert all(reason for _, reason in quarantined)  # each with its Dutch reason
        for record in session.scalars(select(Record)):
            expected = truth[record.source_key]
            assert (
                record.occurred_on,
                record.theme_code,
                record.confidentiality,
                record.reported_name,
                record.reported_kvk,
                record.reported_postcode,
                record.reported_house_number,
            ) == expected["base"], record.source_key
            detail = (record.outcome, record.severity) if isinstance(record, Inspection) else (record.status,)
            assert detail == expected["detail"]


@pytest.mark.slow
def test_reimport_changes_nothing_and_a_corrected_row_updates_its_record(
    engine: Engine, demo_exports, tmp_path: Path
) -> None:
    folder, _truth = demo_exports
    _register(engine)
    export = DEMO_EXPORTS[0]
    first = import_file(engine, export.source_code, folder / export.file_name)
    planted = len(PLANTED_SQUIT_ROWS)
    stored = first.rows_in - planted
    again = import_file(engine, export.source_code, folder / export.file_name)
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (0, 0, stored)
    assert again.rows_quarantined == planted
    corrected = tmp_path / "gecorrigeerd.csv"
    shutil.copy(folder / export.file_name, corrected)
    with corrected.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    key = rows[1][0]
    rows[1][2] = "Gecorrigeerde Naam B.V."
    with corrected.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    third = import_file(engine, export.source_code, corrected)
    assert (third.rows_new, third.rows_updated, third.rows_unchanged) == (0, 1, stored - 1)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == stored
        name = session.scalar(select(Record.reported_name).where(Record.source_key == key))
        # the same bad rows, imported three times, are kept once
        assert session.scalar(select(func.count()).select_from(QuarantinedRow)) == planted
    assert name == "Gecorrigeerde Naam B.V."

"""Import rules: Wgs-forbidden fields refused, quarantined rows re-processed, duplicates counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from plein.core.models import Record
from plein.errors import ValidationError
from plein.ingest.importer import import_file, reprocess_quarantined
from plein.ingest.mapping import parse_mapping
from plein.ingest.models import IngestRun, QuarantinedRow
from plein.store.engine import session_factory
from tests.ingest.helpers import HEADER, TEST_MAPPING, csv_rows, test_source


def test_mapping_asking_for_a_wgs_category_is_rejected() -> None:
    text = TEST_MAPPING.replace("findings: {column: Bevindingen}", "findings: {column: Nationaliteit eigenaar}")
    with pytest.raises(ValidationError, match=r"Wgs-categorie.*nationaliteit"):
        parse_mapping(text)


def test_mapping_errors_name_the_field() -> None:
    with pytest.raises(ValidationError, match=r"fields\.outcome"):
        parse_mapping(TEST_MAPPING.replace("outcome: {column: Uitkomst,", "outcome: {kolom: Uitkomst,"))
    with pytest.raises(ValidationError, match="onbekend doelveld 'bsn'"):
        parse_mapping(TEST_MAPPING.replace("findings: {column: Bevindingen}", "bsn: {column: Bevindingen}"))


def test_forbidden_column_in_the_file_is_never_read(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    path = tmp_path / "met-nationaliteit.csv"
    path.write_text("\n".join([HEADER + ";Nationaliteit", *(r + ";NL" for r in csv_rows(3))]), encoding="utf-8")
    summary = import_file(engine, source, path)
    assert summary.rows_new == 3
    assert any("Nationaliteit" in m and "Wgs" in m for m in summary.messages)
    with session_factory(engine)() as session:
        stored = " ".join(str(v) for r in session.scalars(select(Record)) for v in vars(r).values())
    assert ";NL" not in stored and "NL'" not in stored


def test_imports_pass_the_policy_gate_and_are_audited(engine: Engine, tmp_path: Path) -> None:
    from plein.audit.models import AuditEntry

    source = test_source(engine)
    path = tmp_path / "ok.csv"
    path.write_text("\n".join([HEADER, *csv_rows(2)]))
    import_file(engine, source, path)
    with session_factory(engine)() as session:
        names = set(session.scalars(select(AuditEntry.name)))
    assert {"registraties.importeren", "registraties.importeren.voltooid"} <= names


def test_duplicate_keys_update_and_are_counted(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    rows = csv_rows(3)
    path = tmp_path / "dubbel.csv"
    path.write_text("\n".join([HEADER, *rows, rows[0].replace("Bedrijf 1 B.V.", "Bedrijf Een B.V.")]))
    summary = import_file(engine, source, path)
    assert (summary.rows_in, summary.rows_new, summary.rows_duplicate) == (4, 3, 1)
    assert summary.rows_in == summary.rows_stored + summary.rows_quarantined
    with session_factory(engine)() as session:
        assert session.scalar(select(Record.reported_name).where(Record.source_key == "Z-000001")) == "Bedrijf Een B.V."


def test_quarantined_row_can_be_corrected_and_reprocessed(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    path = tmp_path / "fout.csv"
    path.write_text("\n".join([HEADER, *csv_rows(2), "Z-9;32-13-2024;Fout B.V.;;1234 AB;1;GO;0;x"]))
    summary = import_file(engine, source, path)
    assert summary.rows_quarantined == 1
    with session_factory(engine)() as session:
        entry = session.scalars(select(QuarantinedRow)).one()
    assert reprocess_quarantined(engine, entry.id, {"Datum": "still wrong"}) == "open"
    assert reprocess_quarantined(engine, entry.id, {"Datum": "12-12-2024"}) == "verwerkt"
    with pytest.raises(ValidationError, match="al verwerkt"):
        reprocess_quarantined(engine, entry.id, {})
    with session_factory(engine)() as session:
        run = session.scalars(select(IngestRun)).one()
        assert session.scalar(select(func.count()).select_from(Record)) == 3
        entry = session.get(QuarantinedRow, entry.id)
        assert entry is not None and entry.status == "verwerkt" and entry.record_id is not None
    assert (run.rows_in, run.rows_stored, run.rows_quarantined) == (3, 3, 0)


def test_reimporting_a_file_with_bad_rows_does_not_duplicate_the_quarantine(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    path = tmp_path / "fout.csv"
    path.write_text("\n".join([HEADER, *csv_rows(2), "Z-9;32-13-2024;Fout B.V.;;1234 AB;1;GO;0;x"]))
    import_file(engine, source, path)
    second = import_file(engine, source, path)
    assert (second.rows_unchanged, second.rows_quarantined) == (2, 1)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(QuarantinedRow)) == 1

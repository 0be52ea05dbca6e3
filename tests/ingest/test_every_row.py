"""Every row of a broken CSV file is accounted for: rows in the file = stored + quarantined.

The expected count comes from the file's bytes (split on line ends here, not by any CSV parser):
each kind of broken line costs that line alone, and the run reports the file's line count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from plein.core.models import Inspection, Record
from plein.errors import ValidationError
from plein.ingest.importer import RunSummary, import_file
from plein.ingest.models import QuarantinedRow
from plein.settings import get_settings
from plein.store.engine import session_factory
from tests.ingest.helpers import HEADER, TEST_MAPPING, csv_rows, test_source

ROWS = 1000


def _lines(content: bytes) -> list[bytes]:
    lines = re.split(rb"\r\n|\n|\r", content)
    return lines[:-1] if lines and lines[-1] == b"" else lines


def _data_lines(content: bytes) -> int:
    """Lines after the header that hold anything: what a person counts in an editor."""
    return sum(1 for line in _lines(content)[1:] if line.replace(b";", b"").strip())


def _import(engine: Engine, tmp_path: Path, content: bytes, mapping: str = TEST_MAPPING) -> RunSummary:
    source = test_source(engine, mapping)
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    return import_file(engine, source, path, chunk_size=300)


def _accounted(engine: Engine, summary: RunSummary, content: bytes, *, rows: int | None = None) -> list[str]:
    """Assert the run balances against the file; returns the quarantine reasons."""
    expected = _data_lines(content) if rows is None else rows
    assert summary.status == "voltooid", summary.messages
    assert summary.rows_in == expected == summary.rows_stored + summary.rows_quarantined
    assert summary.file_lines == summary.lines_read == len(_lines(content))
    with session_factory(engine)() as session:
        stored = session.scalar(select(func.count()).select_from(Record)) or 0
        quarantined = list(session.scalars(select(QuarantinedRow).order_by(QuarantinedRow.row_number)))
    assert stored == summary.rows_new and len(quarantined) == summary.rows_quarantined
    assert all(len(str(q.raw)) < 40_000 for q in quarantined)  # one line, never a swallowed file
    return [q.reason for q in quarantined]


def _file(rows: list[str], end: str = "\n") -> bytes:
    return (end.join([HEADER, *rows]) + end).encode("utf-8")


def _oversized(rows: list[str]) -> None:
    rows[500] += "x" * 200_000


def _stray_quote(rows: list[str]) -> None:
    rows[100] = rows[100].replace(";Bedrijf", ';"Bedrijf')


@pytest.mark.parametrize(
    ("break_row", "expected"),
    [(_oversized, ("regel 502 is 200.0", "hoogstens")), (_stray_quote, ("regel 102", "aanhalingsteken"))],
    ids=["oversized-field", "stray-quote-opening-a-field"],
)
def test_a_broken_line_costs_only_its_row(
    engine: Engine, tmp_path: Path, break_row: Callable[[list[str]], None], expected: tuple[str, str]
) -> None:
    rows = csv_rows(ROWS)
    break_row(rows)
    content = _file(rows)
    summary = _import(engine, tmp_path, content)
    reasons = _accounted(engine, summary, content)
    assert (summary.rows_stored, summary.rows_quarantined) == (999, 1)
    assert all(text in reasons[0] for text in expected), reasons[0]


def test_a_stray_quote_closed_rows_later_does_not_swallow_them(engine: Engine, tmp_path: Path) -> None:
    rows = csv_rows(ROWS)
    _stray_quote(rows)
    rows[104] = rows[104].replace("B.V.;", 'B.V.";')  # the quote "closes" four rows later, before a delimiter
    content = _file(rows)
    summary = _import(engine, tmp_path, content)
    _accounted(engine, summary, content)
    assert summary.rows_quarantined == 1 and summary.rows_stored == 999


def test_an_unterminated_quote_at_the_end_costs_only_the_last_row(engine: Engine, tmp_path: Path) -> None:
    rows = csv_rows(ROWS)
    rows[-1] = rows[-1].rsplit(";", 1)[0] + ';"bevinding zonder einde'
    content = _file(rows)
    summary = _import(engine, tmp_path, content)
    reasons = _accounted(engine, summary, content)
    assert (summary.rows_stored, summary.rows_quarantined) == (999, 1)
    assert "einde van het bestand" in reasons[0]


def test_an_embedded_nul_is_quarantined_not_the_whole_file(engine: Engine, tmp_path: Path) -> None:
    rows = csv_rows(ROWS)
    rows[299] = rows[299].replace("bevinding", "bevin\x00ding")
    content = _file(rows)
    summary = _import(engine, tmp_path, content)
    reasons = _accounted(engine, summary, content)
    assert summary.rows_quarantined == 1 and "NUL-teken" in reasons[0]


def test_wrong_column_counts_are_quarantined(engine: Engine, tmp_path: Path) -> None:
    rows = csv_rows(ROWS)
    rows[199] += ";te veel"
    rows[200] = rows[200].rsplit(";", 3)[0]
    content = _file(rows)
    summary = _import(engine, tmp_path, content)
    reasons = _accounted(engine, summary, content)
    assert summary.rows_quarantined == 2
    assert "heeft 10 velden, verwacht 9" in reasons[0] and "heeft 6 velden, verwacht 9" in reasons[1]


@pytest.mark.parametrize("end", ["\r", "\r\n"])
def test_cr_only_and_crlf_line_ends_read_every_row(engine: Engine, tmp_path: Path, end: str) -> None:
    content = _file(csv_rows(ROWS), end)
    summary = _import(engine, tmp_path, content)
    _accounted(engine, summary, content)
    assert summary.rows_stored == ROWS


def test_a_quoted_field_over_two_lines_is_one_row_and_the_lines_still_add_up(engine: Engine, tmp_path: Path) -> None:
    rows = csv_rows(ROWS)
    rows[10] = rows[10].rsplit(";", 1)[0] + ';"eerste regel\ntweede regel"'
    content = _file(rows)
    summary = _import(engine, tmp_path, content)
    _accounted(engine, summary, content, rows=ROWS)  # 1001 data lines, 1000 rows
    with session_factory(engine)() as session:
        assert "eerste regel\ntweede regel" in set(session.scalars(select(Inspection.findings)))


def test_mixed_encodings_quarantine_the_lines_in_the_other_one(engine: Engine, tmp_path: Path) -> None:
    rows = csv_rows(ROWS)  # a cp1252 line within the first 64 KB refuses the file whole (test_malformed)
    content = _file(rows[:949]) + (rows[949].replace("Bedrijf", "Café") + "\n").encode("cp1252")
    content += "\n".join(rows[950:]).encode() + b"\n"
    summary = _import(engine, tmp_path, content)
    reasons = _accounted(engine, summary, content)
    assert summary.rows_quarantined == 1 and "regel 951" in reasons[0] and "codering (utf-8)" in reasons[0]


CP1252_MAPPING = TEST_MAPPING.replace("encoding: utf-8", "encoding: cp1252")


def test_utf8_file_for_a_cp1252_mapping_is_refused_with_the_fix(engine: Engine, tmp_path: Path) -> None:
    content = _file([*csv_rows(3), "Z-9;01-03-2024;Café Ærø B.V.;;1234 AB;1;GO;0;x"])
    with pytest.raises(ValidationError) as refused:
        _import(engine, tmp_path, content, CP1252_MAPPING)
    message = refused.value.message
    assert "UTF-8" in message and "cp1252" in message and "encoding: utf-8" in message
    assert "'Café' zou als 'CafÃ©' worden opgeslagen" in message
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 0


def test_utf8_lines_late_in_a_cp1252_file_are_quarantined_not_stored_as_mojibake(
    engine: Engine, tmp_path: Path
) -> None:
    rows = csv_rows(ROWS)  # about 80 KB of plain ASCII first: beyond the part read to check the encoding
    rows[-1] = rows[-1].replace("Bedrijf", "Café Ærø")
    content = _file(rows)
    summary = _import(engine, tmp_path, content, CP1252_MAPPING)
    reasons = _accounted(engine, summary, content)
    assert summary.rows_quarantined == 1 and "UTF-8" in reasons[0]
    with session_factory(engine)() as session:
        names = set(session.scalars(select(Record.reported_name)))
    assert not any("Ã" in name for name in names if name)


def test_a_file_still_growing_while_read_is_not_reported_as_done(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    path = tmp_path / "groeit.csv"
    path.write_bytes(_file(csv_rows(15_000)))  # more than one read block: the end is read after the first chunk
    grown = []

    def append_once(rows: int, position: int, size: int) -> None:
        if not grown:
            with path.open("ab") as handle:
                handle.write(("\n".join(csv_rows(10, start=20_000)) + "\n").encode())
            grown.append(rows)

    summary = import_file(engine, source, path, chunk_size=300, progress=append_once)
    assert summary.status == "onvolledig"
    assert summary.file_lines == 15_001 and summary.lines_read == 15_011
    assert any("regels zijn niet als rij gelezen" in m for m in summary.messages)


def test_cli_reports_the_file_lines(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = test_source(engine)
    rows = csv_rows(50)
    rows[20] = rows[20].replace(";Bedrijf", ';"Bedrijf')
    path = tmp_path / "export.csv"
    path.write_bytes(_file(rows))
    monkeypatch.setenv("PLEIN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    from plein.cli import app

    result = CliRunner().invoke(app, ["ingest", source, str(path)])
    assert result.exit_code == 0, result.output
    assert "voltooid" in result.output and "regels in het bestand" in result.output
    assert "51" in result.output and "49" in result.output

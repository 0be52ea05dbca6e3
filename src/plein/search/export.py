"""CSV and XLSX files of a list (search results by default), with Dutch column headings and formula injection
defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

COLUMNS = (
    ("id", "Registratie"),
    ("soort", "Soort"),
    ("thema", "Thema"),
    ("datum", "Datum"),
    ("uitkomst", "Uitkomst"),
    ("vertrouwelijkheid", "Vertrouwelijkheid"),
    ("bronorganisatie", "Bronorganisatie"),
    ("bronsysteem", "Bronsysteem"),
    ("ontvangen", "Ontvangen"),
    ("vestiging", "Vestiging"),
    ("vestigingNaam", "Naam"),
    ("kvkNummer", "KvK-nummer"),
    ("vestigingsnummer", "Vestigingsnummer"),
    ("adres", "Adres"),
    ("plaats", "Plaats"),
    ("gemeente", "Gemeente"),
    ("gemeldeNaam", "Gemelde naam"),
    ("gemeldKvk", "Gemeld KvK-nummer"),
)


def _cell(value: Any) -> Any:
    """Text starting with = + - @ would run as a formula in a spreadsheet: prefix a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


Columns = Sequence[tuple[str, str]]


def to_csv(rows: Iterable[dict[str, Any]], columns: Columns = COLUMNS) -> bytes:
    """UTF-8 with BOM (Excel opens it right), semicolon-separated as Dutch spreadsheets expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([label for _, label in columns])
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key, _ in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[dict[str, Any]], columns: Columns = COLUMNS, sheet_name: str = "Registraties") -> bytes:
    """One sheet (by default 'Registraties') with a header row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.append([label for _, label in columns])
    for row in rows:
        sheet.append([_cell(row.get(key)) for key, _ in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

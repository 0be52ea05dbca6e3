"""The inspector's worklist as CSV or XLSX: every likely violation with its reasons and evidence hash."""

from __future__ import annotations

import csv
import io
from typing import Any

from plein.audit.actions import AuditAction
from plein.policy.gate import Gate
from plein.webwatch.models import WebOffer
from plein.webwatch.reads import list_offers

COLUMNS = [
    ("id", "Id"),
    ("theme_code", "Thema"),
    ("score", "Score"),
    ("status", "Status"),
    ("title", "Titel"),
    ("price", "Prijs"),
    ("currency", "Valuta"),
    ("platform", "Platform"),
    ("url", "Adres"),
    ("seller_name", "Verkoper"),
    ("seller_type", "Soort verkoper"),
    ("seller_kvk", "KvK"),
    ("seller_vat", "Btw-id"),
    ("brand", "Merk"),
    ("gtin", "GTIN"),
    ("sku", "SKU"),
    ("first_seen", "Eerst gezien"),
    ("last_seen", "Laatst gezien"),
    ("reasons", "Redenen"),
    ("content_hash", "Inhoudshash (SHA-256)"),
]
MAX_ROWS = 50_000


def _cell(offer: WebOffer, name: str) -> Any:
    value = getattr(offer, name)
    if name == "reasons":
        return "; ".join(value or [])
    if name in ("first_seen", "last_seen") and value is not None:
        return value.strftime("%Y-%m-%d %H:%M")
    if name == "price":
        return float(value) if value is not None else ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # no formulas from web text in a spreadsheet
    return value if value is not None else ""


def worklist_rows(gate: Gate, theme: str) -> list[list[Any]]:
    """Header plus one row per likely violation, read (and audited) through the gate."""
    _, offers = list_offers(gate, theme, only_violations=True, limit=MAX_ROWS)
    gate.audit(AuditAction.WEB_WORKLIST_EXPORT, object_type="thema", object_id=theme, details={"rijen": len(offers)})
    return [[label for _, label in COLUMNS]] + [[_cell(o, name) for name, _ in COLUMNS] for o in offers]


def worklist_csv(gate: Gate, theme: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(worklist_rows(gate, theme))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def worklist_xlsx(gate: Gate, theme: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Werklijst"
    for row in worklist_rows(gate, theme):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

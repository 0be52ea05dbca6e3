"""The data-quality report of a source (or one import): completeness, validity, duplicates,
timeliness, and how much could be linked to a subject.

These are the measures the environmental-crime advice asks for before partner data can carry a
shared platform: a number per field, computed from what was actually stored and quarantined.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plein.core.identifiers import is_valid, validate_kvk, validate_postcode
from plein.core.models import Record
from plein.ingest.models import IngestedRecord, IngestRun, IngestSource, QuarantinedRow, QuarantineStatus
from plein.resolve.models import LINKED, LinkStatus, ResolveLink

FIELD_LABELS = {
    "reported_name": "naam",
    "reported_kvk": "KvK-nummer",
    "reported_postcode": "postcode",
    "reported_house_number": "huisnummer",
    "occurred_on": "datum",
}
STALE_DAYS = 365


@dataclass
class FieldQuality:
    """Completeness and validity of one field."""

    veld: str
    gevuld: int
    volledigheid: float
    geldig: int | None = None
    geldigheid: float | None = None


@dataclass
class QualityReport:
    """The report for a source or one import run."""

    bron: str
    importrun: int | None
    regels_in: int
    opgeslagen: int
    quarantaine: int
    quarantaine_open: int
    records: int
    dubbele_sleutels: int
    velden: list[FieldQuality] = field(default_factory=list)
    ongeldige_datums: int = 0
    tijdigheid_mediaan_dagen: float | None = None
    ouder_dan_een_jaar: int = 0
    gekoppeld: int = 0
    koppelgraad: float = 0.0
    te_beoordelen: int = 0
    quarantaine_redenen: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def quality_report(session: Session, source: IngestSource, run_id: int | None = None) -> QualityReport:
    """Compute the report from the stored records, runs and quarantine of ``source``."""
    runs_query = select(IngestRun).where(IngestRun.source_id == source.id)
    if run_id is not None:
        runs_query = runs_query.where(IngestRun.id == run_id)
    runs = list(session.scalars(runs_query))
    owned = select(IngestedRecord.record_id).where(IngestedRecord.source_id == source.id)
    if run_id is not None:
        owned = owned.where(IngestedRecord.run_id == run_id)
    quarantine = select(QuarantinedRow).where(QuarantinedRow.source_id == source.id)
    if run_id is not None:
        quarantine = quarantine.where(QuarantinedRow.run_id == run_id)
    quarantined = list(session.scalars(quarantine))

    filled: Counter[str] = Counter()
    valid: Counter[str] = Counter()
    lags: list[int] = []
    stale = 0
    invalid_dates = 0
    total = 0
    today = dt.date.today()
    query = (
        select(
            Record.reported_name,
            Record.reported_kvk,
            Record.reported_postcode,
            Record.reported_house_number,
            Record.occurred_on,
            Record.received_at,
        )
        .where(Record.id.in_(owned))
        .execution_options(yield_per=20_000)
    )
    for name, kvk, postcode, house_number, occurred_on, received_at in session.execute(query):
        total += 1
        for key, value in (
            ("reported_name", name),
            ("reported_kvk", kvk),
            ("reported_postcode", postcode),
            ("reported_house_number", house_number),
            ("occurred_on", occurred_on),
        ):
            if value:
                filled[key] += 1
        if kvk and is_valid(validate_kvk, kvk):
            valid["reported_kvk"] += 1
        if postcode and is_valid(validate_postcode, postcode):
            valid["reported_postcode"] += 1
        if occurred_on:
            if occurred_on > today or occurred_on.year < 1950:
                invalid_dates += 1
            else:
                valid["occurred_on"] += 1
            if received_at is not None:
                lag = (received_at.date() - occurred_on).days
                lags.append(lag)
                stale += lag > STALE_DAYS
    invalid_dates += sum(1 for q in quarantined if "datum" in q.reason)
    fields = []
    for key, label in FIELD_LABELS.items():
        checked = key in ("reported_kvk", "reported_postcode", "occurred_on")
        fields.append(
            FieldQuality(
                label,
                filled[key],
                _share(filled[key], total),
                valid[key] if checked else None,
                _share(valid[key], filled[key]) if checked else None,
            )
        )
    linked = (
        session.scalar(
            select(func.count())
            .select_from(ResolveLink)
            .where(
                ResolveLink.item_kind == "record",
                ResolveLink.item_id.in_(owned),
                ResolveLink.status.in_(LINKED),
            )
        )
        or 0
    )
    waiting = (
        session.scalar(
            select(func.count())
            .select_from(ResolveLink)
            .where(
                ResolveLink.item_kind == "record",
                ResolveLink.item_id.in_(owned),
                ResolveLink.status == LinkStatus.TO_REVIEW,
            )
        )
        or 0
    )
    reasons = Counter(_reason_kind(q.reason) for q in quarantined if q.status == QuarantineStatus.OPEN)
    return QualityReport(
        bron=source.code,
        importrun=run_id,
        regels_in=sum(r.rows_in for r in runs),
        opgeslagen=sum(r.rows_stored for r in runs),
        quarantaine=sum(r.rows_quarantined for r in runs),
        quarantaine_open=sum(1 for q in quarantined if q.status == QuarantineStatus.OPEN),
        records=total,
        dubbele_sleutels=sum(r.rows_duplicate for r in runs),
        velden=fields,
        ongeldige_datums=invalid_dates,
        tijdigheid_mediaan_dagen=float(statistics.median(lags)) if lags else None,
        ouder_dan_een_jaar=stale,
        gekoppeld=linked,
        koppelgraad=_share(linked, total),
        te_beoordelen=waiting,
        quarantaine_redenen=reasons.most_common(10),
    )


def _reason_kind(reason: str) -> str:
    """Group reasons by their kind (values differ per row, the kind of problem does not)."""
    for marker, label in (
        ("datum", "ongeldige datum"),
        ("codelijst", "onbekende code"),
        ("sleutel", "sleutel ontbreekt"),
        ("formule", "formule in cel"),
        ("codering", "onleesbare tekens"),
        ("velden, verwacht", "verkeerd aantal velden"),
        ("verplicht", "verplicht veld leeg"),
        ("taxonomie", "onbekend in taxonomie"),
    ):
        if marker in reason:
            return label
    return "overig"

"""The retention job: expired rows removed or pseudonymised, shared links of ended collaborations
purged, and one audit entry with the counts. Safe to run from cron: each run is one transaction,
and a second run finds nothing left to do.

    plein retention run                 # or run_retention(session, today=…, settings=…) in process
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.core.models import Inspection, Record, Report
from plein.ingest.models import QuarantinedRow
from plein.policy.gate import Gate
from plein.policy.models import Collaboration, SharedRecord
from plein.policy.register import RETENTIE
from plein.policy.roles import Actor, Purpose
from plein.resolve.models import ResolveLink, ReviewDecision
from plein.retention.rules import RetentionAction, RetentionKind, RuleInForce, current_rules
from plein.settings import Settings
from plein.webwatch.evidence import default_evidence_root
from plein.webwatch.models import WebOffer, WebPage

CHUNK = 1000
# Plain tables for the bulk statements: a joined-inheritance hierarchy is changed table by table.
RECORD, INSPECTION, REPORT = (cast(Table, model.__table__) for model in (Record, Inspection, Report))


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _records(gate: Gate, rule: RuleInForce, today: dt.date) -> int:
    session = gate.session
    query = gate.records(select(Record.id).where(Record.occurred_on < rule.cutoff(today)))
    if rule.action is RetentionAction.PSEUDONIMISEREN:
        query = query.where(
            or_(
                Record.establishment_id.is_not(None),
                Record.reported_name != "",
                Record.reported_kvk != "",
                Record.reported_postcode != "",
                Record.reported_house_number != "",
            )
        )
    ids = list(session.scalars(query.order_by(Record.id)))
    for chunk in _chunks(ids):
        # Resolution links hold which company a record is about: they go in both cases.
        for model in (ResolveLink, ReviewDecision):
            session.execute(delete(model).where(model.item_kind == "record", model.item_id.in_(chunk)))
        if rule.action is RetentionAction.VERWIJDEREN:
            session.execute(delete(RECORD).where(RECORD.c.id.in_(chunk)))  # details and shares cascade
            continue
        session.execute(
            update(RECORD)
            .where(RECORD.c.id.in_(chunk))
            .values(
                establishment_id=None, reported_name="", reported_kvk="", reported_postcode="", reported_house_number=""
            )
        )
        session.execute(update(INSPECTION).where(INSPECTION.c.id.in_(chunk)).values(findings=""))
        session.execute(update(REPORT).where(REPORT.c.id.in_(chunk)).values(description=""))
    return len(ids)


def _offers(gate: Gate, rule: RuleInForce, today: dt.date) -> int:
    from plein.webwatch.visibility import visible_offers

    session = gate.session
    query = select(WebOffer.id).where(
        WebOffer.last_seen < _midnight(rule.cutoff(today)), visible_offers(gate, AuditAction.RETENTION_OFFERS)
    )
    if rule.action is RetentionAction.PSEUDONIMISEREN:
        query = query.where(WebOffer.url != "")
    ids = list(session.scalars(query.order_by(WebOffer.id)))
    for chunk in _chunks(ids):
        if rule.action is RetentionAction.VERWIJDEREN:
            session.execute(delete(WebOffer).where(WebOffer.id.in_(chunk)))  # observations, labels cascade
            continue
        session.execute(
            update(WebOffer)
            .where(WebOffer.id.in_(chunk))
            .values(
                url="",
                urls=[],
                description="",
                image_urls=[],
                seller_name="",
                seller_pseudonym="",
                seller_kvk="",
                seller_vat="",
                legal_entity_id=None,
            )
        )
    return len(ids)


def _evidence(session: Session, rule: RuleInForce, today: dt.date, root: Path) -> tuple[int, int]:
    """Pages past the term lose their stored copy; a WARC file goes when none of its pages is kept."""
    expired = session.execute(
        select(WebPage.id, WebPage.warc_file).where(
            WebPage.fetched_at < _midnight(rule.cutoff(today)), WebPage.warc_offset >= 0
        )
    ).all()
    ids = [page_id for page_id, _file in expired]
    for chunk in _chunks(ids):
        session.execute(update(WebPage).where(WebPage.id.in_(chunk)).values(warc_file="", warc_offset=-1))
    files = sorted({warc for _id, warc in expired if warc})
    still_used = (
        set(session.scalars(select(WebPage.warc_file).where(WebPage.warc_file.in_(files), WebPage.warc_offset >= 0)))
        if files
        else set()
    )
    removed = 0
    base = root.resolve()
    for name in files:
        path = (root / name).resolve()
        if name in still_used or base not in path.parents:
            continue
        if path.is_file():
            path.unlink()
            removed += 1
    return len(ids), removed


def _quarantine(session: Session, rule: RuleInForce, today: dt.date) -> int:
    ids = list(
        session.scalars(select(QuarantinedRow.id).where(QuarantinedRow.created_at < _midnight(rule.cutoff(today))))
    )
    for chunk in _chunks(ids):
        session.execute(delete(QuarantinedRow).where(QuarantinedRow.id.in_(chunk)))
    return len(ids)


def _ended_shares(session: Session, today: dt.date) -> int:
    ended = select(Collaboration.id).where(Collaboration.ends_on < today)
    ids = list(session.scalars(select(SharedRecord.id).where(SharedRecord.collaboration_id.in_(ended))))
    for chunk in _chunks(ids):
        session.execute(delete(SharedRecord).where(SharedRecord.id.in_(chunk)))
    return len(ids)


def run_retention(
    session: Session, *, today: dt.date | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """Apply every retention rule once and commit; returns the counts (also in the one audit entry)."""
    today = today or dt.date.today()
    gate = Gate(session, Actor.system("bewaartermijnen"), Purpose.for_activity(RETENTIE), today=today)
    gate.scope()
    rules = current_rules(session)
    pages, files = _evidence(session, rules[RetentionKind.BEWIJS], today, default_evidence_root(settings))
    counts: dict[str, Any] = {
        "peildatum": today.isoformat(),
        "registraties": _records(gate, rules[RetentionKind.REGISTRATIES], today),
        "registraties_handeling": rules[RetentionKind.REGISTRATIES].action.value,
        "webaanbod": _offers(gate, rules[RetentionKind.WEBAANBOD], today),
        "webaanbod_handeling": rules[RetentionKind.WEBAANBOD].action.value,
        "bewijspaginas": pages,
        "bewijsbestanden": files,
        "quarantaine": _quarantine(session, rules[RetentionKind.QUARANTAINE], today),
        "gedeelde_koppelingen": _ended_shares(session, today),
    }
    gate.audit(AuditAction.RETENTION_RUN, object_type="bewaartermijnen", details=counts)
    session.commit()
    return counts

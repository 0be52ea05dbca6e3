"""Reading the audit log: filtered listing, everything done with one data subject, verification."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from plein.audit.chain import Verdict, verify
from plein.audit.keys import AuditKeys
from plein.audit.models import AuditActor, AuditEntry, AuditSubject
from plein.errors import ValidationError

SUBJECT_KINDS = ("kvk", "persoon", "vestiging", "rechtspersoon")


@dataclass(slots=True)
class EntryView:
    """One entry with its actor, as pages and the CLI show it."""

    seq: int
    started_at: dt.datetime
    name: str
    status: str
    rule: str
    processing_activity: str
    collaboration_id: int | None
    legal_basis: str
    username: str
    organisation_code: str
    role: str
    object_type: str
    object_id: str
    trace_id: str
    span_id: str
    parent_span_id: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class AuditFilter:
    """Filters of the audit viewer; every field optional."""

    username: str = ""
    organisation_code: str = ""
    name: str = ""
    status: str = ""
    processing_activity: str = ""
    trace_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def parse_subject(text: str) -> tuple[str, str]:
    """``12345678`` (KvK) or ``persoon:42`` / ``vestiging:7`` → (kind, value); ValidationError otherwise."""
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return "kvk", text
    match = re.fullmatch(r"(kvk|persoon|vestiging|rechtspersoon):(\d{1,18})", text.lower())
    if match is None:
        raise ValidationError(
            "Geef een KvK-nummer (8 cijfers) of soort:nummer, bijvoorbeeld persoon:42 of vestiging:7."
        )
    kind, value = match.groups()
    if kind == "kvk" and len(value) != 8:
        raise ValidationError("Een KvK-nummer heeft 8 cijfers.")
    return kind, value


def _views(session: Session, query: Select[Any]) -> list[EntryView]:
    rows = session.execute(query).all()
    return [
        EntryView(
            seq=e.seq,
            started_at=e.started_at,
            name=e.name,
            status=e.status,
            rule=e.rule,
            processing_activity=e.processing_activity,
            collaboration_id=e.collaboration_id,
            legal_basis=e.legal_basis,
            username=a.username,
            organisation_code=a.organisation_code,
            role=a.role,
            object_type=e.object_type,
            object_id=e.object_id,
            trace_id=e.trace_id,
            span_id=e.span_id,
            parent_span_id=e.parent_span_id,
            details=e.details,
        )
        for e, a in rows
    ]


def _base() -> Select[Any]:
    query: Select[Any] = select(AuditEntry, AuditActor)  # type: ignore[assignment]
    return query.join(AuditActor, AuditActor.id == AuditEntry.actor_id)


def search(
    session: Session, flt: AuditFilter, *, limit: int = 50, offset: int = 0, oldest_first: bool = False
) -> tuple[list[EntryView], int]:
    """Entries matching ``flt``, newest first (or oldest first), and how many match in all."""
    query = _base()
    if flt.username:
        query = query.where(AuditActor.username == flt.username)
    if flt.organisation_code:
        query = query.where(AuditActor.organisation_code == flt.organisation_code)
    if flt.name:
        query = query.where(AuditEntry.name == flt.name)
    if flt.status:
        query = query.where(AuditEntry.status == flt.status)
    if flt.processing_activity:
        query = query.where(AuditEntry.processing_activity == flt.processing_activity)
    if flt.trace_id:
        query = query.where(AuditEntry.trace_id == flt.trace_id)
    if flt.since:
        query = query.where(AuditEntry.started_at >= dt.datetime.combine(flt.since, dt.time(), dt.UTC))
    if flt.until:
        query = query.where(
            AuditEntry.started_at < dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    order = AuditEntry.seq.asc() if oldest_first else AuditEntry.seq.desc()
    rows = _views(session, query.order_by(order).offset(offset).limit(limit))
    return rows, total


def for_subject(session: Session, keys: AuditKeys, kind: str, value: str, *, limit: int = 1000) -> list[EntryView]:
    """Everything done with one data subject, oldest first (found through its keyed pseudonym)."""
    pseudonym = keys.pseudonym(kind, value)
    seqs = select(AuditSubject.entry_seq).where(AuditSubject.kind == kind, AuditSubject.pseudonym == pseudonym)
    return _views(session, _base().where(AuditEntry.seq.in_(seqs)).order_by(AuditEntry.seq).limit(limit))


def verify_log(engine: Engine, keys: AuditKeys) -> Verdict:
    """Verify the whole chain in one read transaction."""
    with engine.connect() as connection:
        return verify(connection, keys)

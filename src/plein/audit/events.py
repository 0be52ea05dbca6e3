"""Audit entries for actions outside the gate's data decisions (login, logout, admin changes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from plein.audit import log as audit_log
from plein.audit.actions import AuditAction, registered
from plein.audit.chain import ActorInfo, NewEntry
from plein.audit.keys import AuditKeys
from plein.audit.trace import TraceContext
from plein.core.models import utcnow

_DEFERRED = "plein_audit_deferred"


def defer_durable(session: Session) -> None:
    """Hold ``session``'s durable entries (refusals) until ``take_deferred``, instead of writing them at once.

    A web request uses this: its refusals are written on the request's own connection after its
    transaction ended (committed or rolled back), never on a second pooled connection while the
    request holds its first, and never inside a transaction the refusal rolls back.
    """
    session.info[_DEFERRED] = []


def take_deferred(session: Session) -> list[tuple[AuditKeys, NewEntry]]:
    """The durable entries held back so far (emptied); the caller buffers and commits them."""
    held: list[tuple[AuditKeys, NewEntry]] = session.info.get(_DEFERRED) or []
    if _DEFERRED in session.info:
        session.info[_DEFERRED] = []
    return held


def record_event(
    session: Session,
    keys: AuditKeys,
    *,
    actor: ActorInfo,
    name: AuditAction,
    processing_activity: str,
    trace: TraceContext | None = None,
    status: str = "ok",
    rule: str = "",
    collaboration_id: int | None = None,
    legal_basis: str = "",
    object_type: str = "",
    object_id: str = "",
    subjects: Iterable[tuple[str, object]] = (),
    details: Mapping[str, Any] | None = None,
    started_at: dt.datetime | None = None,
    durable: bool = False,
) -> NewEntry:
    """Queue (or with ``durable`` write at once) one entry; subjects are pseudonymised here.

    ``name`` must be a member of the registry (``plein.audit.actions``); any other name is refused.
    """
    name = registered(name)
    ended = utcnow()
    span = (trace or TraceContext.new()).child()
    entry = NewEntry(
        trace_id=span.trace_id,
        span_id=span.span_id,
        parent_span_id=span.parent_span_id,
        name=name.value,
        started_at=started_at or ended,
        ended_at=ended,
        status=status,
        rule=rule,
        processing_activity=processing_activity[:60],
        collaboration_id=collaboration_id,
        legal_basis=legal_basis,
        actor=actor,
        object_type=object_type[:40],
        object_id=object_id[:80],
        details=dict(details or {}),
        subjects=sorted({(kind, keys.pseudonym(kind, value)) for kind, value in subjects}),
    )
    deferred: list[tuple[AuditKeys, NewEntry]] | None = session.info.get(_DEFERRED)
    if durable and deferred is not None:
        deferred.append((keys, entry))
    elif durable:
        audit_log.write_now(session, keys, entry)
    else:
        audit_log.buffer(session, keys, entry)
    return entry


def merge_into(
    entry: NewEntry,
    keys: AuditKeys,
    *,
    name: AuditAction,
    object_type: str,
    object_id: str,
    subjects: Iterable[tuple[str, object]],
    details: Mapping[str, Any] | None,
) -> None:
    """Fold one more action of the same request into a still-pending entry (one entry per request)."""
    name = registered(name)
    actions = entry.details.setdefault(
        "handelingen", [{"naam": entry.name, "object": f"{entry.object_type} {entry.object_id}".strip()}]
    )
    actions.append({"naam": name.value, "object": f"{object_type} {object_id}".strip(), **dict(details or {})})
    entry.subjects = sorted(set(entry.subjects) | {(kind, keys.pseudonym(kind, value)) for kind, value in subjects})
    entry.ended_at = utcnow()

"""Every refusal of a request in the audit log, once, written after the request's transaction.

A refusal rolls the request's transaction back, so its entry cannot be part of it; and opening a
second pooled connection while the request holds its first is what ran pools dry under load. So
the request session holds refusals back (``audit.events.defer_durable``) and this module writes
them on the request's own session once its transaction is over: those the gate (or the CSRF check)
recorded, plus one entry for a ``Refused``/``NotVisible`` raised anywhere else that nobody logged.
The session's idle-timer write follows in its own short transaction, tolerant of a lock, so a read
never fails or rolls back because of it.
"""

from __future__ import annotations

import logging

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from plein.audit import log as audit_log
from plein.audit.actions import AuditAction
from plein.audit.chain import ActorInfo
from plein.audit.events import record_event, take_deferred
from plein.audit.keys import audit_keys
from plein.audit.trace import TraceContext
from plein.auth.sessions import SessionWrite, apply_session_write
from plein.policy.errors import NotVisible, Refused

log = logging.getLogger("plein.web")
ANONYMOUS = ActorInfo(None, "", "", "anoniem")


def _buffer_refusals(request: Request, session: Session, refusal: BaseException | None) -> int:
    """Queue the held-back refusals and, for a refusal nobody logged, a new entry; returns how many."""
    held = take_deferred(session)
    for keys, entry in held:
        audit_log.buffer(session, keys, entry)
    if isinstance(refusal, Refused) and not refusal.audited:
        if any(entry.status == "geweigerd" and entry.rule == refusal.rule for _keys, entry in held):
            refusal.audited = True  # logged where it was decided (gate.audit before raising): not twice
            return len(held)
        _buffer_unlogged(request, session, refusal)
        return len(held) + 1
    return len(held)


def _buffer_unlogged(request: Request, session: Session, refusal: Refused) -> None:
    keys = getattr(request.app.state, "audit_keys", None) or audit_keys(request.app.state.settings)
    trace = getattr(request.state, "trace", None) or TraceContext.from_header(request.headers.get("traceparent"))
    record_event(
        session,
        keys,
        actor=getattr(request.state, "audit_actor", None) or ANONYMOUS,
        name=AuditAction.REQUEST_REFUSED,
        processing_activity="beveiliging",
        trace=trace,
        status="geweigerd",
        rule=refusal.rule,
        object_type="niet-zichtbaar" if isinstance(refusal, NotVisible) else "",
        details={"melding": refusal.message[:300], "pad": request.url.path[:200], "methode": request.method},
    )
    refusal.audited = True


def commit_request(request: Request, session: Session) -> None:
    """Commit a request that returned, with the refusals it met on the way (e.g. a refused login)."""
    _buffer_refusals(request, session, None)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        settle_refusals(request, session, None)
        raise


def settle_refusals(request: Request, session: Session, error: BaseException | None) -> None:
    """After the request's rollback: write its refusals in a transaction of their own."""
    try:
        if _buffer_refusals(request, session, error):
            session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.exception("Weigering op %s kon niet in het verwerkingenlogboek worden geschreven", request.url.path)


def renew_after_request(request: Request, session: Session) -> None:
    """The session's idle-timer (or end-of-session) write, after the request, never failing it."""
    write: SessionWrite | None = getattr(request.state, "session_write", None)
    if write is None:
        return
    request.state.session_write = None
    try:
        apply_session_write(session, write)
    except SQLAlchemyError:
        session.rollback()  # another writer held the lock past the busy timeout: renew on the next request
        log.warning("Sessie %s: %s niet bijgewerkt (database bezet)", write.session_id, write.column)


def audit_unlogged_refusal(request: Request, refusal: Refused) -> None:
    """A refusal raised where no request session was open: log it in a short session of its own."""
    if refusal.audited:
        return
    with request.app.state.sessions() as session:
        settle_refusals(request, session, refusal)

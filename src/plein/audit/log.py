"""Writing the audit log from a SQLAlchemy session.

Entries are buffered on the session and inserted, as pending entries without any lock, in the same
transaction just before it commits: a write and its audit entry commit together, and a request waits
for its own entry only. The sealer (``plein.audit.appender``) puts committed entries into the chain.
Refusals must survive the caller's rollback, so they are written at once in a transaction of their
own (call the gate before you write; the refusal then never waits on your own write lock).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from plein.audit.chain import NewEntry, append
from plein.audit.keys import AuditKeys

_BUFFER = "plein_audit_pending"
_WROTE = "plein_wrote"


def buffer(session: Session, keys: AuditKeys, entry: NewEntry) -> None:
    """Queue ``entry``; it is appended when ``session`` commits (and dropped if it rolls back)."""
    pending: list[tuple[AuditKeys, NewEntry]] = session.info.setdefault(_BUFFER, [])
    pending.append((keys, entry))


def is_pending(session: Session, entry: NewEntry) -> bool:
    """True while ``entry`` waits in the session's buffer (so it may still be extended)."""
    return any(pending is entry for _keys, pending in session.info.get(_BUFFER, []))


def pending_count(session: Session) -> int:
    """Entries waiting for the session's commit."""
    return len(session.info.get(_BUFFER, []))


def write_now(session: Session, keys: AuditKeys, entry: NewEntry) -> None:
    """Write ``entry`` in its own transaction, independent of the session's fate.

    If the session already wrote in its open transaction, a second connection would wait for the
    session's own write lock (SQLite); then the entry joins the session's transaction instead, and
    commits or rolls back with it.
    """
    if session.info.get(_WROTE):
        append(session.connection(), keys, [entry])
        return
    bind = session.get_bind()
    engine: Any = getattr(bind, "engine", bind)
    with engine.begin() as connection:
        append(connection, keys, [entry])


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    pending: list[tuple[AuditKeys, NewEntry]] = session.info.pop(_BUFFER, [])
    if not pending:
        return
    by_key: dict[AuditKeys, list[NewEntry]] = {}
    for keys, entry in pending:
        by_key.setdefault(keys, []).append(entry)
    connection = session.connection()
    for keys, entries in by_key.items():
        append(connection, keys, entries)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_BUFFER, None)
    session.info.pop(_WROTE, None)


@event.listens_for(Session, "after_commit")
def _forget_writes(session: Session) -> None:
    session.info.pop(_WROTE, None)


@event.listens_for(Session, "after_flush")
def _remember_writes(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True

"""Server-side web sessions: random cookie value, digest in the table, idle and absolute expiry.

Because the session lives in the database, logout and deactivation end it at once, and an
expired session cannot be revived by replaying the cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from plein.auth.accounts import aware
from plein.auth.models import UserAccount, WebSession
from plein.core.models import utcnow

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=8)
COOKIE = "plein_sessie"


def digest(secret: str) -> str:
    """SHA-256 of a random secret (enough for high-entropy values; passwords use argon2)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start_session(session: Session, user: UserAccount, *, now: dt.datetime | None = None) -> tuple[str, WebSession]:
    """A new session for ``user``: returns the cookie value (shown once) and the row."""
    now = now or utcnow()
    value = secrets.token_urlsafe(32)
    row = WebSession(
        digest=digest(value),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE,
    )
    session.add(row)
    session.flush()
    return value, row


@dataclass(frozen=True, slots=True)
class SessionWrite:
    """A write a session check wants: the idle timer renewed (``seen``) or an expired session ended."""

    session_id: int
    column: str  # last_seen_at | ended_at
    at: dt.datetime


def check_session(
    session: Session, value: str | None, *, now: dt.datetime | None = None
) -> tuple[WebSession | None, SessionWrite | None]:
    """The live session for a cookie value (None if unknown, ended or expired) and the write it wants.

    Nothing is changed here, so a read stays a read: the web layer applies the write after the
    request's own transaction, in a short one of its own (``apply_session_write``).
    """
    if not value or len(value) > 200:
        return None, None
    now = now or utcnow()
    row = session.scalars(select(WebSession).where(WebSession.digest == digest(value))).first()
    if row is None or row.ended_at is not None:
        return None, None
    expires, seen = aware(row.expires_at), aware(row.last_seen_at)
    assert expires is not None and seen is not None
    if expires <= now or seen + IDLE <= now or not row.user.active:
        return None, SessionWrite(row.id, "ended_at", now)
    if (now - seen) > dt.timedelta(seconds=60):  # write at most once a minute
        return row, SessionWrite(row.id, "last_seen_at", now)
    return row, None


def load_session(session: Session, value: str | None, *, now: dt.datetime | None = None) -> WebSession | None:
    """The live session for a cookie value, its idle timer renewed in ``session``; None if unknown, ended or expired."""
    row, write = check_session(session, value, now=now)
    if write is not None:
        target = session.get(WebSession, write.session_id)
        if target is not None:
            setattr(target, write.column, write.at)
    return row


def apply_session_write(session: Session, write: SessionWrite) -> None:
    """Apply a session check's write in its own short transaction (the caller's must be over)."""
    statement = update(WebSession).where(WebSession.id == write.session_id, WebSession.ended_at.is_(None))
    session.execute(statement.values({write.column: write.at}))
    session.commit()


def end_session(row: WebSession, *, now: dt.datetime | None = None) -> None:
    """Log out: the cookie no longer works."""
    row.ended_at = now or utcnow()

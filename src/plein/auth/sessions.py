"""Server-side web sessions: random cookie value, digest in the table, idle and absolute expiry.

Because the session lives in the database, logout and deactivation end it at once, and an
expired session cannot be revived by replaying the cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
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


def load_session(session: Session, value: str | None, *, now: dt.datetime | None = None) -> WebSession | None:
    """The live session for a cookie value, its idle timer renewed; None if unknown, ended or expired."""
    if not value or len(value) > 200:
        return None
    now = now or utcnow()
    row = session.scalars(select(WebSession).where(WebSession.digest == digest(value))).first()
    if row is None or row.ended_at is not None:
        return None
    expires, seen = aware(row.expires_at), aware(row.last_seen_at)
    assert expires is not None and seen is not None
    if expires <= now or seen + IDLE <= now or not row.user.active:
        if row.ended_at is None:
            row.ended_at = now
        return None
    if (now - seen) > dt.timedelta(seconds=60):  # write at most once a minute
        row.last_seen_at = now
    return row


def end_session(row: WebSession, *, now: dt.datetime | None = None) -> None:
    """Log out: the cookie no longer works."""
    row.ended_at = now or utcnow()

"""Personal API tokens for scripts: ``plein_<random>``, shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.auth.accounts import aware
from plein.auth.models import ApiToken, UserAccount
from plein.auth.sessions import digest
from plein.core.models import utcnow
from plein.errors import ValidationError

PREFIX = "plein_"
MAX_DAYS = 365


def issue_token(session: Session, user: UserAccount, name: str, *, days: int = 90) -> tuple[str, ApiToken]:
    """A new token for ``user`` valid for ``days``; returns the secret (shown once) and the row."""
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationError("Geef het token een naam van 1 tot 80 tekens.")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"Een token is 1 tot {MAX_DAYS} dagen geldig.")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        digest=digest(secret),
        prefix=secret[:12],
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return secret, row


def token_user(session: Session, secret: str, *, now: dt.datetime | None = None) -> UserAccount | None:
    """The active account a live token belongs to; None for unknown, revoked or expired tokens."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    now = now or utcnow()
    row = session.scalars(select(ApiToken).where(ApiToken.digest == digest(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    expires = aware(row.expires_at)
    assert expires is not None
    if expires <= now or not row.user.active:
        return None
    return row.user


def revoke_token(row: ApiToken) -> None:
    """The token stops working at once."""
    row.revoked_at = utcnow()

"""Accounts: creating users, logging in with throttling and temporary lockout.

After ``MAX_FAILURES`` wrong passwords in a row the account is locked for ``LOCKOUT``; every attempt
is audited. The message for an unknown user, a wrong password and a locked account is the same, with
the same work done, so login does not reveal which usernames exist (the audit entry names the reason).
A new password or a deactivation ends the account's sessions and revokes its tokens, so that neither
survives the change (nor revives when the account is activated again).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session, object_session

from plein.auth.models import ApiToken, UserAccount, WebSession
from plein.auth.passwords import hash_password, needs_rehash, verify_password
from plein.core.models import Organisation, utcnow
from plein.core.vocabulary import Confidentiality
from plein.errors import PleinError, ValidationError
from plein.policy.roles import Actor, Role

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")


class LoginFailed(PleinError):
    """Wrong username or password, or a locked or inactive account (one message for the first two)."""

    status = 401

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


BAD_CREDENTIALS = "Onbekende gebruikersnaam of onjuist wachtwoord."
# One message for every failure before the password was accepted (unknown, wrong, locked).


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; in plein they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def person_role(role: Role | str, clearance: Confidentiality | str) -> tuple[Role, Confidentiality]:
    """A role and clearance a person's account may have; ``ValidationError`` in Dutch otherwise."""
    try:
        role = Role(role)
        clearance = Confidentiality(clearance)
    except ValueError as exc:
        raise ValidationError(f"Onbekende rol of rubricering: {exc}") from exc
    if role == Role.SYSTEEM:
        raise ValidationError("De rol systeem is voor processen, niet voor personen.")
    return role, clearance


def create_user(
    session: Session,
    *,
    username: str,
    password: str | None,
    organisation_id: int,
    role: Role | str,
    clearance: Confidentiality | str = Confidentiality.VERTROUWELIJK,
    display_name: str = "",
) -> UserAccount:
    """A new account; validates the username, role, clearance and password rules."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValidationError(
            "Een gebruikersnaam bestaat uit 3 tot 80 kleine letters, cijfers, punten, streepjes of liggende streepjes."
        )
    role, clearance = person_role(role, clearance)
    if session.get(Organisation, organisation_id) is None:
        raise ValidationError(f"Organisatie {organisation_id} bestaat niet.")
    if session.scalar(select(UserAccount.id).where(UserAccount.username == username)) is not None:
        raise ValidationError(f"De gebruikersnaam {username} is al in gebruik.")
    user = UserAccount(
        username=username,
        display_name=display_name or username,
        organisation_id=organisation_id,
        role=role.value,
        clearance=clearance.value,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return user


def actor_for(user: UserAccount) -> Actor:
    """The gate's view of an account."""
    return Actor(
        user_id=user.id,
        organisation_id=user.organisation_id,
        role=Role(user.role),
        clearance=Confidentiality(user.clearance),
        username=user.username,
        organisation_code=_loaded_organisation_code(user),
    )


def _loaded_organisation_code(user: UserAccount) -> str:
    """The organisation code if at hand without a query on a detached row ('' lets the gate look it up)."""
    state = inspect(user)
    if "organisation" in state.unloaded and state.session is None:
        return ""
    return user.organisation.code


def authenticate(session: Session, username: str, password: str, *, now: dt.datetime | None = None) -> UserAccount:
    """The account for a correct username and password; ``LoginFailed`` otherwise (state is updated).

    The caller commits: failed-attempt counters and lockouts must be stored even when login fails.
    """
    now = now or utcnow()
    name = username.strip().lower()[:80]
    user = session.scalars(select(UserAccount).where(UserAccount.username == name)).first()
    if user is None:
        verify_password(None, password)
        raise LoginFailed(BAD_CREDENTIALS, "onbekende-gebruiker")
    locked_until = aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        verify_password(None, password)
        raise LoginFailed(BAD_CREDENTIALS, "geblokkeerd")
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        raise LoginFailed(BAD_CREDENTIALS, "onjuist-wachtwoord")
    if not user.active:
        raise LoginFailed("Dit account is uitgeschakeld. Neem contact op met de beheerder.", "uitgeschakeld")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(user: UserAccount, password: str, *, keep_session_id: int | None = None) -> int:
    """Replace the password (rules checked), lift any lockout, and end the account's other sessions and
    its API tokens (whoever knew the old password may have made them); returns how many ended."""
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    return _end_access(user, keep_session_id=keep_session_id)


def deactivate(user: UserAccount) -> int:
    """Switch the account off: its sessions end and its tokens are revoked, so activating it again
    later revives neither; returns how many ended."""
    user.active = False
    return _end_access(user)


def _end_access(user: UserAccount, *, keep_session_id: int | None = None) -> int:
    session = object_session(user)
    if session is None or user.id is None:
        return 0
    now = utcnow()
    sessions = update(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
    if keep_session_id is not None:
        sessions = sessions.where(WebSession.id != keep_session_id)
    tokens = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ended = session.execute(sessions.values(ended_at=now).execution_options(synchronize_session="fetch"))
    revoked = session.execute(tokens.values(revoked_at=now).execution_options(synchronize_session="fetch"))
    return int(getattr(ended, "rowcount", 0) or 0) + int(getattr(revoked, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class AccountAuthority:
    """Whether ``admin`` may create or change an account in an organisation at a clearance, and
    whether that takes the platform role (audited as such)."""

    allowed: bool
    as_platform: bool
    rule: str = ""
    reason: str = ""


def account_authority(admin: UserAccount, organisation_id: int, clearance: str) -> AccountAuthority:
    """A beheerder manages accounts of its own organisation, never above its own clearance; a platform
    beheerder (``platform_admin``, set by the operator from the command line) of any organisation."""
    own = admin.organisation_id == organisation_id
    try:
        within = Confidentiality(clearance).rank <= Confidentiality(admin.clearance).rank
    except ValueError:
        within = False
    if own and within:
        return AccountAuthority(True, False)
    if admin.platform_admin:
        return AccountAuthority(True, True)
    if not own:
        return AccountAuthority(
            False, False, "beheer-eigen-organisatie", "U beheert alleen accounts van uw eigen organisatie."
        )
    return AccountAuthority(
        False,
        False,
        "beheer-rubricering",
        f"U kunt geen account met een hogere rubricering dan de uwe ({admin.clearance}) beheren.",
    )


def change_role(user: UserAccount, role: Role | str, clearance: Confidentiality | str) -> bool:
    """Give an account another role and clearance (validated); True when anything changed.

    The account's open web sessions end, so the new rights apply from the next login on.
    """
    role, clearance = person_role(role, clearance)
    if (user.role, user.clearance) == (role.value, clearance.value):
        return False
    user.role, user.clearance = role.value, clearance.value
    end_user_sessions(user)
    return True


def reset_password(user: UserAccount, password: str) -> None:
    """A beheerder sets a new password (rules checked); the account's sessions end and its tokens are
    revoked (``set_password``)."""
    set_password(user, password)


def end_user_sessions(user: UserAccount, *, now: dt.datetime | None = None) -> int:
    """End every open web session of ``user``; returns how many."""
    session = object_session(user)
    if session is None:
        return 0
    rows = session.scalars(select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))).all()
    for row in rows:
        row.ended_at = now or utcnow()
    return len(rows)

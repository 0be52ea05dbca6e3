"""Password hashing with argon2id and password rules.

Parameters follow the OWASP Password Storage Cheat Sheet minimum for argon2id (19 MiB, 2 passes,
1 lane): strong enough against offline guessing, yet about 0.1 s per login on a small server, so
that login throttling, not CPU, is the bottleneck for an attacker hammering the login form.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from plein.errors import ValidationError

MIN_LENGTH = 12
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1, type=Type.ID)
# A hash to verify against when the username is unknown, so that timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("plein-dummy-password-for-timing")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` after checking the password rules."""
    check_password_rules(password)
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    """Length is what matters (NCSC); reject what is too short or only whitespace."""
    if len(password) < MIN_LENGTH or not password.strip():
        raise ValidationError(f"Een wachtwoord moet minstens {MIN_LENGTH} tekens lang zijn.")
    if len(password) > 1024:
        raise ValidationError("Een wachtwoord mag hoogstens 1024 tekens lang zijn.")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; always spends the same work, also without a stored hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)

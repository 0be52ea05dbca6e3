"""Keys for the audit log, derived from plein's secret key (kept outside the database).

The chain is an HMAC chain, so someone with only database access cannot recompute it after a
change; data subjects are pseudonymised with a second derived key, so the log holds no KvK number or
person id in clear yet can still be searched for one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from plein.settings import Settings, get_settings


@dataclass(frozen=True, slots=True)
class AuditKeys:
    """The derived keys: chain HMAC, subject pseudonyms, and the seed of the checkpoint signing key."""

    chain: bytes
    subject: bytes
    checkpoint: bytes = b""

    def pseudonym(self, kind: str, value: object) -> str:
        """Keyed hash of one data-subject identifier, e.g. ``("kvk", "12345678")``."""
        return _pseudonym(self.subject, f"{kind}:{str(value).strip().lower()}")


@lru_cache(maxsize=100_000)
def _pseudonym(key: bytes, text: str) -> str:
    """Remembered: a map search names hundreds of establishments, and the same ones again and again."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


@lru_cache(maxsize=16)
def keys_from_secret(secret: str) -> AuditKeys:
    """Derive the audit keys from a secret (cached: derivation runs once per secret)."""
    root = secret.encode("utf-8")
    return AuditKeys(
        chain=hmac.new(root, b"plein/audit/chain", hashlib.sha256).digest(),
        subject=hmac.new(root, b"plein/audit/subject", hashlib.sha256).digest(),
        checkpoint=hmac.new(root, b"plein/audit/checkpoint", hashlib.sha256).digest(),
    )


def audit_keys(settings: Settings | None = None) -> AuditKeys:
    """The audit keys of the configured (or given) settings."""
    return keys_from_secret((settings or get_settings()).resolved_secret_key())

"""The register of processing activities as the gate reads it (cached briefly, see ``policy.cache``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from plein.policy.cache import PolicyCache
from plein.policy.models import ProcessingActivity
from plein.policy.scopes import ScopeKind


@dataclass(frozen=True, slots=True)
class ActivityRule:
    """What the gate needs of one register entry."""

    code: str
    name: str
    legal_basis: str
    scope: ScopeKind
    roles: tuple[str, ...]
    active: bool


_register: PolicyCache[ActivityRule | None] = PolicyCache(ProcessingActivity)


def activity_rule(session: Session, code: str) -> ActivityRule | None:
    """The register entry ``code`` (None when absent)."""

    def load() -> ActivityRule | None:
        row = session.get(ProcessingActivity, code)
        if row is None:
            return None
        return ActivityRule(
            row.code, row.name, row.legal_basis, ScopeKind(row.scope), tuple(row.roles), bool(row.active)
        )

    return _register.get(session, code, load)

"""Which web offers a gate's actor may see (shared by the worklist, the market view and the dossier)."""

from __future__ import annotations

from typing import Any

from plein.audit.actions import AuditAction
from plein.policy.gate import Gate
from plein.policy.scopes import ScopeKind
from plein.webwatch.models import WebOffer


def visible_offers(gate: Gate, action: AuditAction) -> Any:
    """WHERE clause for the offers ``gate``'s actor may see under its purpose.

    The gate's record check (role, purpose, aggregates-only) is applied first by asking it for the
    record clause; offers then follow the same rule as records: the own organisation's, or all for
    a purpose that reaches everything. Collaborations do not receive offers (yet): none visible.
    """
    gate.record_clause(action)
    scope = gate.scope()
    if scope.kind == ScopeKind.ALL:
        return WebOffer.id.is_not(None)
    if scope.kind == ScopeKind.OWN_ORGANISATION:
        return WebOffer.source_organisation_id == gate.actor.organisation_id
    return WebOffer.id.is_(None)

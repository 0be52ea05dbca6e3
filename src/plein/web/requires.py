"""Each route's kind of access, declared once in its signature by a dependency that carries it::

    def page(gate: RecordsGate, ...)                                    # records, under the stated purpose
    def one(gate: Annotated[Gate, Requires(Access.RECORDS, record_param="registratie_id")], ...)
    def mine(auth: AccountAuth, ...)                                    # any logged-in account
    @router.get("/inloggen", dependencies=[Requires(Access.PUBLIC)])    # no login

``Requires`` picks the dependency for the kind (stated purpose, a fixed activity such as ``beheer``,
the path's collaboration, or just a login) and every gate comes from ``web_gate``, so trace context,
audit keys and the aggregate threshold are always passed. The dependency keeps the ``RoutePolicy``,
which ``route_policy.route_table`` reads back from the app's routes for the authorization matrix.
An ``operation`` (see ``policy.register.OPERATIONS``) is checked by the gate before the route runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.policy.gate import Gate
from plein.policy.register import BEHEER, PRIVACY, Operation
from plein.policy.roles import Purpose
from plein.policy.scopes import ScopeKind
from plein.web.access import Auth, AuthDep, DoelQuery, SessionDep, parse_purpose, request_keys, request_trace
from plein.web.route_policy import Access, RoutePolicy

# The activity and the scope it must reach, for the kinds that work under one fixed activity.
FIXED_ACTIVITY = {
    Access.ADMIN: (BEHEER, ScopeKind.CONFIGURATION, AuditAction.ADMIN_OPEN),
    Access.AUDIT: (PRIVACY, ScopeKind.AUDIT, AuditAction.AUDIT_OPEN),
}


def web_gate(request: Request, session: Session, auth: Auth, purpose: Purpose) -> Gate:
    """The one place a request's gate is made: the app's trace context, audit keys and aggregate threshold."""
    return Gate(
        session,
        auth.actor,
        purpose,
        trace=request_trace(request),
        keys=request_keys(request),
        min_cell=request.app.state.settings.aggregate_min_cell,
    )


class Declared:
    """A dependency that declares its route's access (``route_policy``)."""

    def __init__(self, policy: RoutePolicy) -> None:
        self.route_policy = policy

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.route_policy.access.value})"


class PublicAccess(Declared):
    """No login needed."""

    def __call__(self) -> None:
        return None


class AccountAccess(Declared):
    """Any logged-in account."""

    def __call__(self, auth: AuthDep) -> Auth:
        return auth


class StatedPurposeAccess(Declared):
    """The gate bound to the purpose the request states (``doel``), or the role's default."""

    def __init__(self, policy: RoutePolicy, operation: Operation | None, action: AuditAction) -> None:
        super().__init__(policy)
        self.operation = operation
        self.action = action

    def __call__(self, request: Request, session: SessionDep, auth: AuthDep, doel: DoelQuery = None) -> Gate:
        gate = web_gate(request, session, auth, parse_purpose(doel, auth.role))
        if self.operation is not None:
            gate.permit(self.operation, self.action)
        return gate


class ActivityAccess(Declared):
    """The gate under one fixed activity (``beheer``, ``privacy-toezicht``), refusing whom it does not fit."""

    def __init__(self, policy: RoutePolicy, activity: str, scope_kind: ScopeKind, action: AuditAction) -> None:
        super().__init__(policy)
        self.activity = activity
        self.scope_kind = scope_kind
        self.action = action

    def __call__(self, request: Request, session: SessionDep, auth: AuthDep) -> Gate:
        gate = web_gate(request, session, auth, Purpose.for_activity(self.activity))
        gate.require(self.scope_kind, self.action)
        return gate


class CollaborationAccess(Declared):
    """The gate under the collaboration named by the path (``samenwerking_id``)."""

    def __call__(
        self,
        request: Request,
        session: SessionDep,
        auth: AuthDep,
        samenwerking_id: Annotated[int, Path(ge=1, le=2**62)],
    ) -> Gate:
        return web_gate(request, session, auth, Purpose.for_collaboration(samenwerking_id))


def Requires(  # CapWords: read as a declaration on the route, like FastAPI's Depends
    access: Access,
    *,
    record_param: str | None = None,
    samples: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    operation: Operation | None = None,
    action: AuditAction | None = None,
    stated_purpose: bool = False,
) -> Any:
    """The dependency declaring ``access`` for a route (use in ``Annotated[...]`` or ``dependencies=[...]``).

    ``samples`` and ``query`` are what the matrix's probes send (path values other than ``1``, a search
    term); ``operation`` a role rule of the register the gate checks first (reported under ``action``);
    ``stated_purpose`` gives an ``ACCOUNT`` route (a search form) the gate of the stated purpose.
    """
    policy = RoutePolicy(access, record_param, dict(samples or {}), dict(query or {}))
    if operation is not None and access not in (Access.RECORDS, Access.AGGREGATE):
        raise ValueError("An operation is checked under a stated purpose: use it with RECORDS or AGGREGATE.")
    if stated_purpose and access != Access.ACCOUNT:
        raise ValueError("stated_purpose is for ACCOUNT routes; RECORDS and AGGREGATE always have it.")
    dependency: Declared
    if access in FIXED_ACTIVITY:
        activity, scope_kind, opening = FIXED_ACTIVITY[access]
        dependency = ActivityAccess(policy, activity, scope_kind, action or opening)
    elif access == Access.COLLABORATION:
        dependency = CollaborationAccess(policy)
    elif access in (Access.RECORDS, Access.AGGREGATE) or stated_purpose:
        dependency = StatedPurposeAccess(policy, operation, action or AuditAction.PURPOSE_CHECK)
    elif access == Access.ACCOUNT:
        dependency = AccountAccess(policy)
    else:
        dependency = PublicAccess(policy)
    return Depends(dependency)


# The common declarations, as types for route signatures.
RecordsGate = Annotated[Gate, Requires(Access.RECORDS)]
AggregateGate = Annotated[Gate, Requires(Access.AGGREGATE)]
AccountAuth = Annotated[Auth, Requires(Access.ACCOUNT)]
AccountGate = Annotated[Gate, Requires(Access.ACCOUNT, stated_purpose=True)]
AdminGate = Annotated[Gate, Requires(Access.ADMIN)]
AuditGate = Annotated[Gate, Requires(Access.AUDIT)]
CollaborationGate = Annotated[Gate, Requires(Access.COLLABORATION)]
PUBLIC = Requires(Access.PUBLIC)

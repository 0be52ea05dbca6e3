"""Retention rules and DPIAs: edited by the beheerder on ``/beheer/privacy``, shown to the privacy
officer on ``/audit/privacy`` together with the last runs of the retention job."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from plein.audit.actions import AuditAction
from plein.audit.models import AuditEntry
from plein.errors import ValidationError
from plein.policy.gate import Gate
from plein.retention import rules
from plein.web.access import AuthDep, CsrfDep
from plein.web.requires import AdminGate, AuditGate

router = APIRouter(include_in_schema=False)
RUN_ACTION = AuditAction.RETENTION_RUN


def _context(gate: Gate) -> dict[str, Any]:
    activities, collabs = rules.dpia_overview(gate.session)
    runs = gate.session.scalars(
        select(AuditEntry).where(AuditEntry.name == RUN_ACTION).order_by(AuditEntry.seq.desc()).limit(5)
    ).all()
    return {
        "rules": list(rules.current_rules(gate.session).values()),
        "kind_labels": {kind.value: kind.label for kind in rules.RetentionKind},
        "actions": {kind.value: [a.value for a in allowed] for kind, allowed in rules.ACTIONS.items()},
        "statuses": list(rules.DpiaStatus),
        "status_labels": {status.value: status.label for status in rules.DpiaStatus},
        "activities": activities,
        "collabs": collabs,
        "runs": runs,
    }


def _admin_page(request: Request, gate: Gate, auth: AuthDep, *, error: str = "", status: int = 200) -> Response:
    context = {**_context(gate), "editable": True, "error": error, "csrf_token": auth.csrf_token}
    return request.app.state.templates.TemplateResponse(request, "admin/privacy.html", context, status_code=status)


@router.get("/beheer/privacy", response_class=HTMLResponse)
def admin_privacy_page(request: Request, gate: AdminGate, auth: AuthDep) -> Response:
    """Bewaartermijnen en DPIA's beheren."""
    gate.audit(AuditAction.ADMIN_PRIVACY_VIEW)
    return _admin_page(request, gate, auth)


@router.post("/beheer/privacy/bewaartermijnen", response_class=HTMLResponse)
def set_retention(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    soort: Annotated[str, Form(max_length=30)] = "",
    dagen: Annotated[int, Form(ge=0, le=10**6)] = 0,
    handeling: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Wijzig de bewaartermijn van één soort gegevens."""
    try:
        row = rules.set_rule(gate.session, kind=soort, days=dagen, action=handeling, updated_by=auth.user.username)
    except ValidationError as exc:
        gate.session.rollback()
        return _admin_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(
        AuditAction.ADMIN_RETENTION_CHANGE,
        object_type="bewaartermijn",
        object_id=row.kind,
        details={"dagen": row.days, "handeling": row.action},
    )
    return RedirectResponse("/beheer/privacy", status_code=303)


@router.post("/beheer/privacy/dpia", response_class=HTMLResponse)
def set_dpia(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    onderwerp: Annotated[str, Form(max_length=80)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
    referentie: Annotated[str, Form(max_length=1000)] = "",
    datum: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """Leg de DPIA van een verwerking of samenwerking vast (status, referentie, datum)."""
    try:
        row = rules.set_dpia(
            gate.session,
            subject=onderwerp,
            status=status,
            reference=referentie,
            decided_on=datum,
            updated_by=auth.user.username,
        )
    except ValidationError as exc:
        gate.session.rollback()
        return _admin_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(
        AuditAction.ADMIN_DPIA_RECORD,
        object_type="dpia",
        object_id=onderwerp,
        details={"status": row.status, "referentie": row.reference[:200]},
    )
    return RedirectResponse("/beheer/privacy", status_code=303)


@router.get("/audit/privacy", response_class=HTMLResponse)
def audit_privacy_page(request: Request, gate: AuditGate) -> Response:
    """Bewaartermijnen, de laatste uitvoeringen ervan en de DPIA's, voor de privacy officer."""
    gate.audit(AuditAction.AUDIT_PRIVACY_VIEW)
    context = {**_context(gate), "editable": False}
    return request.app.state.templates.TemplateResponse(request, "audit/privacy.html", context)

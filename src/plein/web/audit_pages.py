"""``/audit``: the privacy officer's view of the verwerkingenlogboek (filter, one subject, verify).

A privacy officer sees the entries of actors of their own organisation; verification covers the
whole chain. Consulting the log is itself logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.appender import checkpoint_log
from plein.audit.query import AuditFilter, EntryView, for_subject, parse_subject, search, verify_log
from plein.errors import ValidationError
from plein.policy.gate import Gate
from plein.web.requires import AuditGate

router = APIRouter(include_in_schema=False, prefix="/audit")
PAGE_SIZE = 50
ACTIONS_BY_DESCRIPTION = sorted(AuditAction, key=lambda a: a.description)
Text = Annotated[str, Query(max_length=80)]


def _own_org(gate: Gate, session: Session) -> str:
    from plein.core.models import Organisation

    org = session.get(Organisation, gate.actor.organisation_id)
    return org.code if org else "-"


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


@router.get("", response_class=HTMLResponse)
def audit_page(
    request: Request,
    gate: AuditGate,
    gebruiker: Text = "",
    handeling: Text = "",
    status: Annotated[str, Query(pattern="^(|ok|geweigerd|fout)$")] = "",
    doel: Text = "",
    trace: Annotated[str, Query(max_length=32, pattern="^[0-9a-f]*$")] = "",
    van: dt.date | None = None,
    tot: dt.date | None = None,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
    volgorde: Annotated[str, Query(pattern="^(nieuwste|oudste)$")] = "nieuwste",
) -> Response:
    """Logboekregels van medewerkers van uw organisatie, nieuwste eerst (of oudste eerst), met filters."""
    flt = AuditFilter(
        username=gebruiker.strip().lower(),
        organisation_code=_own_org(gate, gate.session),
        name=handeling.strip(),
        status=status,
        processing_activity=doel.strip(),
        trace_id=trace,
        since=van,
        until=tot,
    )
    offset = (pagina - 1) * PAGE_SIZE
    rows, total = search(gate.session, flt, limit=PAGE_SIZE, offset=offset, oldest_first=volgorde == "oudste")
    gate.audit(AuditAction.AUDIT_CONSULT, details={"aantal": total})
    return _render(
        request,
        "audit/log.html",
        rows=rows,
        total=total,
        page=pagina,
        size=PAGE_SIZE,
        volgorde=volgorde,
        flt=flt,
        van=van.isoformat() if van else "",
        tot=tot.isoformat() if tot else "",
        actions=ACTIONS_BY_DESCRIPTION,
        action_names={a.value for a in AuditAction},
    )


@router.get("/betrokkene", response_class=HTMLResponse)
def subject_page(request: Request, gate: AuditGate, id: Annotated[str, Query(max_length=40)] = "") -> Response:
    """Alles wat met de gegevens van één betrokkene is gedaan (KvK-nummer of soort:nummer)."""
    rows: list[EntryView] = []
    error = ""
    kind = value = ""
    if id.strip():
        try:
            kind, value = parse_subject(id)
        except ValidationError as exc:
            error = exc.message
        else:
            org = _own_org(gate, gate.session)
            rows = [r for r in for_subject(gate.session, gate.keys, kind, value) if r.organisation_code == org]
            gate.audit(AuditAction.AUDIT_SUBJECT, subjects=[(kind, value)], details={"aantal": len(rows)})
    return _render(
        request, "audit/subject.html", 400 if error else 200, rows=rows, query=id, kind=kind, value=value, error=error
    )


@router.get("/verificatie", response_class=HTMLResponse)
def verify_page(request: Request, gate: AuditGate) -> Response:
    """Controleer de hash-keten van het hele logboek en het laatste ondertekende checkpoint."""
    settings = request.app.state.settings
    verdict = verify_log(
        request.app.state.engine,
        gate.keys,
        checkpoint_log(settings),
        pending_bound=dt.timedelta(seconds=settings.audit_pending_bound),
    )
    gate.audit(
        AuditAction.AUDIT_VERIFY,
        status="ok" if verdict.intact else "fout",
        details={"gecontroleerd": verdict.checked, "eerste_fout": verdict.first_bad},
    )
    return _render(request, "audit/verify.html", verdict=verdict)

"""``/audit``: the privacy officer's view of the verwerkingenlogboek (filter, one subject, verify).

A privacy officer sees the entries of actors of their own organisation; verification covers the
whole chain. Consulting the log is itself logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.appender import checkpoint_log
from plein.audit.query import AuditFilter, EntryView, for_subject, parse_subject, search, verify_log
from plein.core import labels
from plein.errors import ValidationError
from plein.policy.gate import Gate
from plein.search.export import to_csv, to_xlsx
from plein.web.requires import AuditGate

router = APIRouter(include_in_schema=False, prefix="/audit")
PAGE_SIZE = 50
MAX_EXPORT_ROWS = 10_000
ACTIONS_BY_DESCRIPTION = sorted(AuditAction, key=lambda a: a.description)
Text = Annotated[str, Query(max_length=80)]


def _own_org(gate: Gate, session: Session) -> str:
    from plein.core.models import Organisation

    org = session.get(Organisation, gate.actor.organisation_id)
    return org.code if org else "-"


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


@dataclass(frozen=True)
class LogQuery:
    """The viewer's filters and order, shared by the page and its export."""

    gebruiker: str
    handeling: str
    status: str
    doel: str
    trace: str
    van: dt.date | None
    tot: dt.date | None
    volgorde: str

    def filter(self, organisation_code: str) -> AuditFilter:
        return AuditFilter(
            username=self.gebruiker.strip().lower(),
            organisation_code=organisation_code,
            name=self.handeling.strip(),
            status=self.status,
            processing_activity=self.doel.strip(),
            trace_id=self.trace,
            since=self.van,
            until=self.tot,
        )


def log_query(
    gebruiker: Text = "",
    handeling: Text = "",
    status: Annotated[str, Query(pattern="^(|ok|geweigerd|fout)$")] = "",
    doel: Text = "",
    trace: Annotated[str, Query(max_length=32, pattern="^[0-9a-f]*$")] = "",
    van: dt.date | None = None,
    tot: dt.date | None = None,
    volgorde: Annotated[str, Query(pattern="^(nieuwste|oudste)$")] = "nieuwste",
) -> LogQuery:
    return LogQuery(gebruiker, handeling, status, doel, trace, van, tot, volgorde)


LogQueryDep = Annotated[LogQuery, Depends(log_query)]


def _page(request: Request, gate: Gate, query: LogQuery, pagina: int, error: str = "") -> Response:
    flt = query.filter(_own_org(gate, gate.session))
    offset = (pagina - 1) * PAGE_SIZE
    rows, total = search(gate.session, flt, limit=PAGE_SIZE, offset=offset, oldest_first=query.volgorde == "oudste")
    gate.audit(AuditAction.AUDIT_CONSULT, details={"aantal": total})
    return _render(
        request,
        "audit/log.html",
        400 if error else 200,
        rows=rows,
        total=total,
        page=pagina,
        size=PAGE_SIZE,
        volgorde=query.volgorde,
        flt=flt,
        van=query.van.isoformat() if query.van else "",
        tot=query.tot.isoformat() if query.tot else "",
        actions=ACTIONS_BY_DESCRIPTION,
        action_names={a.value for a in AuditAction},
        export_error=error,
    )


@router.get("", response_class=HTMLResponse)
def audit_page(
    request: Request,
    gate: AuditGate,
    query: LogQueryDep,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Logboekregels van medewerkers van uw organisatie, nieuwste eerst (of oudste eerst), met filters."""
    return _page(request, gate, query, pagina)


EXPORT_COLUMNS = (
    ("regel", "Regel"),
    ("tijd", "Tijd"),
    ("handeling", "Handeling"),
    ("code", "Code van de handeling"),
    ("status", "Status"),
    ("reden", "Reden"),
    ("gebruiker", "Gebruiker"),
    ("organisatie", "Organisatie"),
    ("rol", "Rol"),
    ("doel", "Doel"),
    ("samenwerking", "Samenwerking"),
    ("grondslag", "Grondslag"),
    ("objectsoort", "Soort object"),
    ("object", "Object"),
    ("trace", "Trace"),
)


def _export_row(view: EntryView) -> dict[str, Any]:
    return {
        "regel": view.seq if view.sealed else "wacht op verzegeling",
        "tijd": labels.moment(view.started_at, True),
        "handeling": view.description,
        "code": view.name,
        "status": labels.label(view.status),
        "reden": labels.label(view.rule) if view.rule else "",
        "gebruiker": view.username or "anoniem",
        "organisatie": view.organisation_code,
        "rol": labels.label(view.role),
        "doel": labels.label(view.processing_activity),
        "samenwerking": view.collaboration_id,
        "grondslag": view.legal_basis,
        "objectsoort": view.object_type,
        "object": view.object_id,
        "trace": view.trace_id,
    }


@router.get("/export")
def audit_export(
    request: Request,
    gate: AuditGate,
    query: LogQueryDep,
    formaat: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:
    """De gefilterde logboekregels als CSV (puntkomma's, BOM) of XLSX; hoogstens MAX_EXPORT_ROWS regels."""
    flt = query.filter(_own_org(gate, gate.session))
    rows, total = search(gate.session, flt, limit=MAX_EXPORT_ROWS, oldest_first=query.volgorde == "oudste")
    if total > MAX_EXPORT_ROWS:
        gate.audit(AuditAction.AUDIT_EXPORT, status="geweigerd", details={"aantal": total, "formaat": formaat})
        message = (
            f"Er zijn {labels.number(total)} regels; een export heeft er hoogstens {labels.number(MAX_EXPORT_ROWS)}. "
            "Verfijn de filters (bijvoorbeeld een kortere periode) en exporteer opnieuw."
        )
        return _page(request, gate, query, 1, error=message)
    gate.audit(AuditAction.AUDIT_EXPORT, details={"aantal": total, "formaat": formaat})
    today = dt.date.today().isoformat()
    data = [_export_row(view) for view in rows]
    if formaat == "xlsx":
        return Response(
            to_xlsx(data, EXPORT_COLUMNS, "Logboekregels"),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="plein-logboek-{today}.xlsx"'},
        )
    return Response(
        to_csv(data, EXPORT_COLUMNS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="plein-logboek-{today}.csv"'},
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

"""``/registraties``: the records a user may see for a chosen purpose, as Dutch pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Select

from plein.audit.actions import AuditAction
from plein.core.models import Record, organisation_codes
from plein.errors import ValidationError
from plein.policy.gate import Gate
from plein.policy.purposes import purposes_for
from plein.search.area import MAX_EXPORT_ROWS, record_rows
from plein.search.criteria import resolve_theme, theme_choices
from plein.web.access import AuthDep
from plein.web.api.records import filtered, record_out
from plein.web.api.search import export_response
from plein.web.requires import RecordsGate, Requires
from plein.web.route_policy import Access

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


ORDERS = {
    "nieuwste": (Record.occurred_on.desc(), Record.id.desc()),
    "oudste": (Record.occurred_on.asc(), Record.id.asc()),
    "soort": (Record.kind.asc(), Record.occurred_on.desc(), Record.id.desc()),
}
ORDER_LABELS = (("nieuwste", "nieuwste eerst"), ("oudste", "oudste eerst"), ("soort", "op soort"))


@router.get("/registraties", response_class=HTMLResponse)
def records_page(
    request: Request,
    gate: RecordsGate,
    auth: AuthDep,
    thema: Annotated[str | None, Query(max_length=120)] = None,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
    volgorde: Annotated[str, Query(pattern="^(nieuwste|oudste|soort)$")] = "nieuwste",
    formaat: Annotated[str, Query(pattern="^(html|csv|xlsx)$")] = "html",
) -> Response:
    """Registraties onder het gekozen doel, nieuwste eerst (of oudste eerst, of op soort); ook als CSV of XLSX.

    A theme may be typed as its code or its name; an unknown one keeps the page with the message beside
    the field."""
    themes = theme_choices(gate.session)
    context: dict[str, Any] = {
        "rows": [],
        "total": 0,
        "page": pagina,
        "size": PAGE_SIZE,
        "thema": thema or "",
        "themes": themes,
        "volgorde": volgorde,
        "orders": ORDER_LABELS,
        "errors": {},
        "doel": gate.purpose.describe(),
        "purposes": purposes_for(gate.session, auth.user.id, auth.role),
    }
    templates = request.app.state.templates
    try:
        code = resolve_theme(gate.session, thema) if thema and thema.strip() else None
    except ValidationError as exc:
        context["errors"]["thema"] = exc.message
        return templates.TemplateResponse(request, "access/records.html", context, status_code=400)
    query = filtered(code, None)
    codes = organisation_codes(gate.session)
    if formaat != "html":
        return _export(gate, query, formaat)
    rows = gate.read_records(query.order_by(*ORDERS[volgorde]).offset((pagina - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    context.update(
        rows=[record_out(r, codes) for r in rows], total=gate.count_records(query), thema=code or "", errors={}
    )
    return templates.TemplateResponse(request, "access/records.html", context)


def _export(gate: Gate, query: Select[Any], formaat: str) -> Response:
    """Every visible record of the list (at most MAX_EXPORT_ROWS) as a download; audited with its subjects."""
    total = gate.count_records(query)
    if total > MAX_EXPORT_ROWS:
        raise ValidationError(
            f"De export zou {total} registraties bevatten; het maximum is {MAX_EXPORT_ROWS}. Kies een thema."
        )
    records = gate.read_records(query.order_by(*ORDERS["nieuwste"]), action=AuditAction.RECORDS_EXPORT)
    return export_response(record_rows(gate, records), formaat)


@router.get("/registraties/{registratie_id}", response_class=HTMLResponse)
def record_page(
    request: Request,
    gate: Annotated[Gate, Requires(Access.RECORDS, record_param="registratie_id")],
    registratie_id: Annotated[int, Path(ge=1, le=2**62)],
) -> HTMLResponse:
    """Eén registratie (404 als zij niet bestaat of niet zichtbaar is)."""
    record: Record = gate.read_record(registratie_id)
    return request.app.state.templates.TemplateResponse(
        request,
        "access/record.html",
        {"record": record_out(record, organisation_codes(gate.session)), "doel": gate.purpose.describe()},
    )

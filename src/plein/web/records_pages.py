"""``/registraties``: the records a user may see for a chosen purpose, as Dutch pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from plein.core.models import Record, organisation_codes
from plein.policy.gate import Gate
from plein.policy.purposes import purposes_for
from plein.web.access import AuthDep
from plein.web.api.records import filtered, record_out
from plein.web.requires import RecordsGate, Requires
from plein.web.route_policy import Access

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


@router.get("/registraties", response_class=HTMLResponse)
def records_page(
    request: Request,
    gate: RecordsGate,
    auth: AuthDep,
    thema: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9-]*$")] = None,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Registraties onder het gekozen doel, nieuwste eerst."""
    query = filtered(thema or None, None)
    rows = gate.read_records(
        query.order_by(Record.occurred_on.desc(), Record.id.desc()).offset((pagina - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    total = gate.count_records(query)
    codes = organisation_codes(gate.session)
    return request.app.state.templates.TemplateResponse(
        request,
        "access/records.html",
        {
            "rows": [record_out(r, codes) for r in rows],
            "total": total,
            "page": pagina,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "thema": thema or "",
            "doel": gate.purpose.describe(),
            "purposes": purposes_for(gate.session, auth.user.id, auth.role),
        },
    )


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

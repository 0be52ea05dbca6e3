"""Dutch pages for search: one box with results as you type (htmx), bulk search with export, the map,
and the dossier with its PDF. Thin: all work is done by ``plein.search`` and ``plein.dossier``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from plein.audit.actions import AuditAction
from plein.dossier.build import build_dossier
from plein.dossier.pdf import dossier_pdf
from plein.errors import ValidationError
from plein.policy.gate import Gate
from plein.policy.purposes import purposes_for
from plein.search.area import Area, export_rows, search_area
from plein.search.criteria import RADIUS_CHOICES, parse_filters, parse_kvk_list, parse_postcode_range
from plein.search.subjects import search_subjects
from plein.web.access import AuthDep
from plein.web.api.search import export_response, subject_query
from plein.web.requires import AccountGate, RecordsGate, Requires
from plein.web.route_policy import Access

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


@router.get("/zoeken", response_class=HTMLResponse)
def search_page(
    request: Request, auth: AuthDep, gate: AccountGate, q: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    """Eén zoekvak: naam, KvK-nummer, vestigingsnummer, postcode of adres."""
    context: dict[str, Any] = {
        "q": q,
        "doel": gate.purpose.describe(),
        "purposes": purposes_for(gate.session, auth.user.id, auth.role),
    }
    context.update(_results(gate, q))
    return _page(request, "search/search.html", context)


@router.get("/zoeken/resultaten", response_class=HTMLResponse)
def search_results_fragment(
    request: Request,
    gate: Annotated[Gate, Requires(Access.RECORDS, query={"q": "transport"})],
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """Alleen de resultaten (htmx vervangt ze tijdens het typen)."""
    return _page(request, "search/_results.html", {"doel": gate.purpose.describe(), **_results(gate, q, typing=True)})


def _results(gate: Any, q: str, typing: bool = False) -> dict[str, Any]:
    if not q.strip():
        return {"result": None, "error": ""}
    try:
        query = subject_query(q, None, None, None, None, None, None, None, typing)
        return {"result": search_subjects(gate, query, limit=25), "error": ""}
    except ValidationError as exc:
        return {"result": None, "error": exc.message}


@router.get("/zoeken/bulk", response_class=HTMLResponse)
def bulk_page(
    request: Request,
    auth: AuthDep,
    gate: AccountGate,
    plaats: Annotated[str, Query(max_length=80)] = "",
    gemeente: Annotated[str, Query(max_length=80)] = "",
    postcode_van: Annotated[str, Query(alias="postcodeVan", max_length=10)] = "",
    postcode_tot: Annotated[str, Query(alias="postcodeTot", max_length=10)] = "",
    kvk: Annotated[str, Query(max_length=200_000)] = "",
    thema: Annotated[str, Query(max_length=40)] = "",
    soort: Annotated[str, Query(max_length=20)] = "",
    van: Annotated[dt.date | None, Query()] = None,
    tot: Annotated[dt.date | None, Query()] = None,
    formaat: Annotated[str, Query(pattern="^(html|csv|xlsx)$")] = "html",
) -> Response:
    """Bulkzoeken: alles in een plaats, gemeente, postcodereeks of voor een lijst KvK-nummers."""
    form = {
        "plaats": plaats,
        "gemeente": gemeente,
        "postcodeVan": postcode_van,
        "postcodeTot": postcode_tot,
        "kvk": kvk,
        "thema": thema,
        "soort": soort,
        "van": van.isoformat() if van else "",
        "tot": tot.isoformat() if tot else "",
    }
    context: dict[str, Any] = {
        "form": form,
        "doel": gate.purpose.describe(),
        "result": None,
        "error": "",
        "purposes": purposes_for(gate.session, auth.user.id, auth.role),
    }
    if any((plaats, gemeente, postcode_van, postcode_tot, kvk.strip())):
        try:
            postcodes = parse_postcode_range(postcode_van, postcode_tot) if postcode_van or postcode_tot else None
            kvks = tuple(parse_kvk_list(kvk)) if kvk.strip() else ()
            area = Area(plaats, gemeente, postcodes, kvks)
            filters = parse_filters([thema] if thema else None, None, van, tot, [soort] if soort else None)
            if formaat in ("csv", "xlsx"):
                return export_response(export_rows(gate, area, filters), formaat)
            context["result"] = search_area(gate, area, filters, limit=50)
        except ValidationError as exc:
            context["error"] = exc.message
            return _page(request, "search/bulk.html", context, status=400)
    return _page(request, "search/bulk.html", context)


@router.get("/zoeken/kaart", response_class=HTMLResponse)
def map_page(request: Request, auth: AuthDep, gate: AccountGate) -> HTMLResponse:
    """Kaartzoeken: klik een punt of geef coördinaten, kies een straal."""
    return _page(
        request,
        "search/map.html",
        {
            "doel": gate.purpose.describe(),
            "purposes": purposes_for(gate.session, auth.user.id, auth.role),
            "radii": RADIUS_CHOICES,
            "tile_url": request.app.state.settings.map_tile_url,
            "tile_attribution": request.app.state.settings.map_tile_attribution,
        },
    )


@router.get("/dossier/{vestiging_id}", response_class=HTMLResponse)
def dossier_page(
    request: Request, gate: RecordsGate, vestiging_id: Annotated[int, Path(ge=1, le=2**62)], personen: bool = False
) -> HTMLResponse:
    """Het dossier: subject, opvolging, gerelateerde subjecten en de tijdlijn over alle partners."""
    return _page(
        request,
        "search/dossier.html",
        {
            "d": build_dossier(gate, vestiging_id, with_persons=personen),
            "doel": gate.purpose.describe(),
            "personen": personen,
        },
    )


@router.get("/dossier/{vestiging_id}.pdf")
def dossier_pdf_page(gate: RecordsGate, vestiging_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    """Het dossier als PDF."""
    dossier = build_dossier(gate, vestiging_id)
    gate.audit(
        AuditAction.DOSSIER_PDF,
        object_type="vestiging",
        object_id=str(vestiging_id),
        subjects=[("vestiging", vestiging_id)],
    )
    return Response(
        dossier_pdf(dossier),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="dossier-{vestiging_id}.pdf"'},
    )

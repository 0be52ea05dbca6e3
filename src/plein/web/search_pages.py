"""Dutch pages for search: one box with results as you type (htmx), bulk search with export, the map,
and the dossier with its PDF. Thin: all work is done by ``plein.search`` and ``plein.dossier``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from plein.dossier.build import build_dossier
from plein.dossier.subjects import dossier_of_legal_entities
from plein.errors import ValidationError
from plein.follow.models import FollowKind
from plein.follow.service import following
from plein.policy.gate import Gate
from plein.policy.purposes import purposes_for
from plein.search.area import Area, export_rows, search_area
from plein.search.criteria import (
    RADIUS_CHOICES,
    PostcodeRange,
    RecordFilters,
    parse_filters,
    parse_kvk_list,
    parse_postcode_range,
    resolve_theme,
    theme_choices,
)
from plein.search.subjects import SubjectOrder, search_subjects
from plein.web.access import AuthDep
from plein.web.api.search import dossier_pdf_response, export_response, subject_query
from plein.web.requires import AccountGate, RecordsGate, Requires
from plein.web.route_policy import Access

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


@router.get("/zoeken", response_class=HTMLResponse)
def search_page(
    request: Request,
    auth: AuthDep,
    gate: AccountGate,
    q: Annotated[str, Query(max_length=200)] = "",
    pagina: Annotated[int, Query(ge=1, le=10_000)] = 1,
    volgorde: SubjectOrder = SubjectOrder.BEST,
) -> HTMLResponse:
    """Eén zoekvak: naam, KvK-nummer, vestigingsnummer, postcode of adres."""
    context: dict[str, Any] = {
        "q": q,
        "doel": gate.purpose.describe(),
        "purposes": purposes_for(gate.session, auth.user.id, auth.role),
    }
    context.update(_results(gate, q, page=pagina, order=volgorde))
    return _page(request, "search/search.html", context)


@router.get("/zoeken/resultaten", response_class=HTMLResponse)
def search_results_fragment(
    request: Request,
    gate: Annotated[Gate, Requires(Access.RECORDS, query={"q": "transport"})],
    q: Annotated[str, Query(max_length=200)] = "",
    pagina: Annotated[int, Query(ge=1, le=10_000)] = 1,
    volgorde: SubjectOrder = SubjectOrder.BEST,
) -> HTMLResponse:
    """Alleen de resultaten (htmx vervangt ze tijdens het typen)."""
    context = {"doel": gate.purpose.describe(), **_results(gate, q, typing=True, page=pagina, order=volgorde)}
    return _page(request, "search/_results.html", context)


SEARCH_PAGE_SIZE = 25
BULK_PAGE_SIZE = 50


def _results(
    gate: Any, q: str, typing: bool = False, page: int = 1, order: SubjectOrder = SubjectOrder.BEST
) -> dict[str, Any]:
    base = {"q": q, "page": page, "size": SEARCH_PAGE_SIZE, "volgorde": order, "orders": list(SubjectOrder)}
    if not q.strip():
        return {**base, "result": None, "error": ""}
    try:
        query = subject_query(q, None, None, None, None, None, None, None, typing)
        offset = (page - 1) * SEARCH_PAGE_SIZE
        result = search_subjects(gate, query, limit=SEARCH_PAGE_SIZE, offset=offset, order=order)
        return {**base, "result": result, "error": ""}
    except ValidationError as exc:
        return {**base, "result": None, "error": exc.message}


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
    pagina: Annotated[int, Query(ge=1, le=10_000)] = 1,
    volgorde: Annotated[str, Query(pattern="^(nieuwste|oudste)$")] = "nieuwste",
) -> Response:
    """Bulkzoeken: alles in een plaats, gemeente, postcodereeks of voor een lijst KvK-nummers.

    A wrong value keeps the form as typed, with the message beside its field (400)."""
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
        "errors": {},
        "purposes": purposes_for(gate.session, auth.user.id, auth.role),
        "themes": theme_choices(gate.session),
        "page": pagina,
        "size": BULK_PAGE_SIZE,
        "volgorde": volgorde,
    }
    if not any((plaats, gemeente, postcode_van, postcode_tot, kvk.strip())):
        return _page(request, "search/bulk.html", context)
    errors: dict[str, str] = context["errors"]
    postcodes: PostcodeRange | None = None
    kvks: tuple[str, ...] = ()
    filters: RecordFilters | None = None
    theme_code = ""
    try:
        postcodes = parse_postcode_range(postcode_van, postcode_tot) if postcode_van or postcode_tot else None
    except ValidationError as exc:
        errors["postcodeVan"] = _beside(exc.message)
    try:
        kvks = tuple(parse_kvk_list(kvk)) if kvk.strip() else ()
    except ValidationError as exc:
        errors["kvk"] = _beside(exc.message)
    try:
        theme_code = resolve_theme(gate.session, thema) if thema.strip() else ""
        form["thema"] = theme_code
    except ValidationError as exc:
        errors["thema"] = _beside(exc.message)
    try:
        filters = parse_filters([theme_code] if theme_code else None, None, van, tot, [soort] if soort else None)
    except ValidationError as exc:
        errors["van"] = _beside(exc.message)
    if errors or filters is None:
        return _page(request, "search/bulk.html", context, status=400)
    area = Area(plaats, gemeente, postcodes, kvks)
    try:
        if formaat in ("csv", "xlsx"):
            return export_response(export_rows(gate, area, filters), formaat)
        offset = (pagina - 1) * BULK_PAGE_SIZE
        oldest = volgorde == "oudste"
        context["result"] = search_area(gate, area, filters, limit=BULK_PAGE_SIZE, offset=offset, oldest_first=oldest)
    except ValidationError as exc:
        errors["plaats"] = _beside(exc.message)
        return _page(request, "search/bulk.html", context, status=400)
    return _page(request, "search/bulk.html", context)


def _beside(message: str) -> str:
    """A message shown beside its field needs no field name in front (``postcodeVan: …``)."""
    return re.sub(r"^[A-Za-z]+: ", "", message, count=1)


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


# The PDF route comes first: `/dossier/{vestiging_id}` would otherwise take `12.pdf` as its id (400).
@router.get("/dossier/{vestiging_id}.pdf")
def dossier_pdf_page(gate: RecordsGate, vestiging_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    """Het dossier als PDF."""
    return dossier_pdf_response(gate, vestiging_id, "inline")


@router.get("/dossier/{vestiging_id}", response_class=HTMLResponse)
def dossier_page(
    request: Request,
    gate: RecordsGate,
    auth: AuthDep,
    vestiging_id: Annotated[int, Path(ge=1, le=2**62)],
    personen: bool = False,
) -> HTMLResponse:
    """Het dossier: subject, opvolging, gerelateerde subjecten en de tijdlijn over alle partners."""
    dossier = build_dossier(gate, vestiging_id, with_persons=personen)
    followed = following(gate, auth.user.id, FollowKind.VESTIGING, str(vestiging_id))
    return _page(
        request,
        "search/dossier.html",
        {
            "d": dossier,
            "doel": gate.purpose.describe(),
            "personen": personen,
            "dossier_of": dossier_of_legal_entities(gate, [s.legal_entity_id for s in dossier.successions]),
            "theme_names": dict(theme_choices(gate.session)),
            "followed": followed,
            "csrf_token": auth.csrf_token,
        },
    )

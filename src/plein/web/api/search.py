"""``/v1/subjecten/_zoek``, ``/v1/registraties/_zoek`` (bulk and map), KvK-file upload and the dossier.

Everything passes the policy gate of the request (the ``doel`` parameter states the purpose) and is
audited with the subjects it returned; bad input answers 400 with ``invalidParams``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from plein.audit.actions import AuditAction
from plein.dossier.build import build_dossier
from plein.dossier.pdf import dossier_pdf
from plein.errors import ValidationError
from plein.policy.gate import Gate
from plein.search.area import Area, export_rows, search_area
from plein.search.criteria import (
    MAX_KVK_LIST,
    RecordFilters,
    SubjectQuery,
    parse_circle,
    parse_filters,
    parse_free_text,
    parse_kvk_list,
    parse_polygon,
    parse_postcode_range,
    read_kvk_file,
)
from plein.search.export import to_csv, to_xlsx
from plein.search.subjects import search_subjects
from plein.web.access import CsrfDep
from plein.web.problems import problem
from plein.web.requires import RecordsGate, Requires
from plein.web.route_policy import Access

router = APIRouter(tags=["zoeken"])
T = TypeVar("T")


class InvalidParam(ValidationError):
    """A ValidationError that knows which parameter it is about."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def checked(name: str, parse: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a parser; a ValidationError becomes an InvalidParam for ``name``."""
    try:
        return parse(*args, **kwargs)
    except InvalidParam:
        raise
    except ValidationError as exc:
        raise InvalidParam(name, exc.message) from None


def invalid(request: Request, exc: InvalidParam) -> JSONResponse:
    """400 problem with the parameter named, as the NL API Design Rules ask."""
    return problem(
        400,
        f"{exc.name}: {exc.message}" if not exc.message.startswith(exc.name) else exc.message,
        request,
        invalidParams=[{"name": exc.name, "code": "invalid", "reason": exc.message}],
    )


class Filters(BaseModel):
    """Filters on records."""

    thema: list[str] = Field(default_factory=list, max_length=50)
    organisatie: list[str] = Field(default_factory=list, max_length=100)
    van: dt.date | None = None
    tot: dt.date | None = None
    soort: list[str] = Field(default_factory=list, max_length=10)
    uitkomst: list[str] = Field(default_factory=list, max_length=10)

    def parsed(self) -> RecordFilters:
        return checked(
            "filters", parse_filters, self.thema, self.organisatie, self.van, self.tot, self.soort, self.uitkomst
        )


class Cirkel(BaseModel):
    """A point (WGS84) and a radius in metres."""

    breedtegraad: float
    lengtegraad: float
    straal: float = Field(description="Straal in meters (1 tot 25.000; gebruikelijk 50, 250, 500 of 1000).")


class BulkZoekvraag(BaseModel):
    """Exactly one area (city, municipality, postcode range, KvK numbers, circle, drawn area) plus filters."""

    plaats: str | None = Field(None, max_length=80)
    gemeente: str | None = Field(None, max_length=80)
    postcode_van: str | None = Field(None, alias="postcodeVan", max_length=10)
    postcode_tot: str | None = Field(None, alias="postcodeTot", max_length=10)
    kvk_nummers: list[str] | None = Field(None, alias="kvkNummers", max_length=MAX_KVK_LIST)
    cirkel: Cirkel | None = None
    gebied: list[tuple[float, float]] | None = Field(None, max_length=200, description="[[breedte, lengte], …]")
    filters: Filters = Field(default_factory=Filters)
    met_vestigingen: bool = Field(False, alias="metVestigingen")

    model_config = {"populate_by_name": True}

    def area(self) -> Area:
        postcodes = None
        if self.postcode_van or self.postcode_tot:
            postcodes = checked("postcodeVan", parse_postcode_range, self.postcode_van or "", self.postcode_tot or "")
        kvks = tuple(checked("kvkNummers", parse_kvk_list, "\n".join(self.kvk_nummers))) if self.kvk_nummers else ()
        circle = None
        if self.cirkel:
            c = self.cirkel
            circle = checked("cirkel", parse_circle, c.breedtegraad, c.lengtegraad, c.straal)
        polygon: tuple[tuple[float, float], ...] = ()
        if self.gebied is not None:
            polygon = tuple(checked("gebied", parse_polygon, ";".join(f"{a},{b}" for a, b in self.gebied)))
        area = Area(self.plaats or "", self.gemeente or "", postcodes, kvks, circle, polygon)
        checked("zoekgebied", area.describe)
        return area


@router.get("/subjecten/_zoek", summary="Subjecten zoeken op naam, KvK-nummer, vestigingsnummer of adres")
def search_subjects_api(
    request: Request,
    gate: Annotated[Gate, Requires(Access.RECORDS, query={"q": "transport"})],
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Eén zoekvak: naam, KvK-nummer, "
            "vestigingsnummer, postcode (+ huisnummer) of straat + huisnummer.",
        ),
    ] = None,
    naam: Annotated[str | None, Query(max_length=200)] = None,
    kvk: Annotated[str | None, Query(max_length=20)] = None,
    vestigingsnummer: Annotated[str | None, Query(max_length=20)] = None,
    postcode: Annotated[str | None, Query(max_length=10)] = None,
    huisnummer: Annotated[int | None, Query(ge=1, le=99_999)] = None,
    straat: Annotated[str | None, Query(max_length=120)] = None,
    plaats: Annotated[str | None, Query(max_length=80)] = None,
    typen: Annotated[
        bool, Query(description="Het laatste woord is mogelijk nog niet af (zoeken tijdens typen).")
    ] = False,
    pagina: Annotated[int, Query(ge=1, le=100)] = 1,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=100)] = 20,
) -> Any:
    """Vestigingen die u onder het gekozen doel mag zien, beste overeenkomst eerst."""
    try:
        query = subject_query(q, naam, kvk, vestigingsnummer, postcode, huisnummer, straat, plaats, typen)
        if query.is_empty():
            raise InvalidParam("q", "geef een zoekterm of ten minste één zoekveld.")
        result = search_subjects(gate, query, limit=pagina_grootte, offset=(pagina - 1) * pagina_grootte)
    except InvalidParam as exc:
        return invalid(request, exc)
    return {
        "totaal": result.total,
        "totaalIsMinimum": result.at_least,
        "zoekvraag": result.criteria,
        "subjecten": [hit.as_json() for hit in result.hits],
    }


def subject_query(
    q: str | None,
    naam: str | None,
    kvk: str | None,
    vestigingsnummer: str | None,
    postcode: str | None,
    huisnummer: int | None,
    straat: str | None,
    plaats: str | None,
    typen: bool,
) -> SubjectQuery:
    """Combine the free-text box with the explicit fields (AND)."""
    from plein.core.identifiers import validate_establishment_number, validate_kvk, validate_postcode

    base = checked("q", parse_free_text, q, typing=typen) if q and q.strip() else SubjectQuery(typing=typen)
    return SubjectQuery(
        name=(naam or "").strip() or base.name,
        kvk=checked("kvk", validate_kvk, kvk) if kvk else base.kvk,
        establishment_number=checked("vestigingsnummer", validate_establishment_number, vestigingsnummer)
        if vestigingsnummer
        else base.establishment_number,
        postcode=checked("postcode", validate_postcode, postcode) if postcode else base.postcode,
        house_number=huisnummer if huisnummer is not None else base.house_number,
        street=(straat or "").strip() or base.street,
        city=(plaats or "").strip() or base.city,
        typing=typen,
    )


@router.post("/registraties/_zoek", summary="Bulkzoeken en kaartzoeken: registraties in een gebied of voor KvK-nummers")
def search_records_api(
    request: Request,
    gate: RecordsGate,
    _: CsrfDep,
    vraag: BulkZoekvraag,
    pagina: Annotated[int, Query(ge=1, le=10_000)] = 1,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=100)] = 20,
) -> Any:
    """Registraties die u mag zien in één plaats, gemeente, postcodereeks, cirkel of getekend gebied, of voor een
    lijst KvK-nummers; met filters en facetten (die alleen zichtbare registraties tellen)."""
    try:
        area, filters = vraag.area(), vraag.filters.parsed()
        result = search_area(
            gate,
            area,
            filters,
            limit=pagina_grootte,
            offset=(pagina - 1) * pagina_grootte,
            with_establishments=vraag.met_vestigingen,
        )
    except InvalidParam as exc:
        return invalid(request, exc)
    return area_json(result)


def area_json(result: Any) -> dict[str, Any]:
    return {
        "totaal": result.total,
        "zoekvraag": result.criteria,
        "facetten": result.facets,
        "registraties": result.records,
        "vestigingen": [hit.as_json() for hit in result.establishments],
        "totaalVestigingen": result.establishments_total,
    }


@router.get("/registraties/_zoek-kaart", summary="Kaartzoeken: registraties en vestigingen rond een punt of gebied")
def search_map_api(
    request: Request,
    gate: RecordsGate,
    breedtegraad: Annotated[float | None, Query()] = None,
    lengtegraad: Annotated[float | None, Query()] = None,
    straal: Annotated[float | None, Query(description="Meters, 1 tot 25.000.")] = None,
    gebied: Annotated[str | None, Query(max_length=6000, description="lat,lon;lat,lon;… (minstens 3 punten)")] = None,
    thema: Annotated[list[str] | None, Query()] = None,
    soort: Annotated[list[str] | None, Query()] = None,
    van: Annotated[dt.date | None, Query()] = None,
    tot: Annotated[dt.date | None, Query()] = None,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=100)] = 20,
) -> Any:
    """Vestigingen (voor de kaart, op afstand) en registraties binnen de straal of het gebied."""
    try:
        if gebied:
            area = Area(polygon=tuple(checked("gebied", parse_polygon, gebied)))
        else:
            if breedtegraad is None or lengtegraad is None or straal is None:
                raise InvalidParam("straal", "geef breedtegraad, lengtegraad en straal, of een gebied.")
            area = Area(circle=checked("straal", parse_circle, breedtegraad, lengtegraad, straal))
        filters = checked("filters", parse_filters, thema, None, van, tot, soort, None)
        result = search_area(
            gate, area, filters, limit=pagina_grootte, with_establishments=True, action=AuditAction.SEARCH_MAP
        )
    except InvalidParam as exc:
        return invalid(request, exc)
    return area_json(result)


@router.post("/registraties/_zoek-kvk-bestand", summary="Bulkzoeken met een bestand KvK-nummers (tekst of CSV)")
async def search_kvk_file_api(
    request: Request,
    gate: RecordsGate,
    _: CsrfDep,
    bestand: Annotated[UploadFile, File(description="Tekst of CSV, één KvK-nummer per regel.")],
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=100)] = 20,
    formaat: Annotated[Literal["json", "csv", "xlsx"], Form()] = "json",
) -> Any:
    """Registraties voor de KvK-nummers in het bestand; 400 voor een bestand dat geen tekst is of te groot."""
    data = await bestand.read(3_000_000)
    try:
        kvks = tuple(checked("bestand", read_kvk_file, data, bestand.filename or "bestand"))
        area = Area(kvks=kvks)
        if formaat != "json":
            return export_response(export_rows(gate, area, RecordFilters()), formaat)
        result = search_area(gate, area, RecordFilters(), limit=pagina_grootte, action=AuditAction.SEARCH_KVK_LIST)
    except InvalidParam as exc:
        return invalid(request, exc)
    return area_json(result)


def export_response(rows: Any, formaat: str) -> Response:
    """A CSV or XLSX download."""
    today = dt.date.today().isoformat()
    if formaat == "xlsx":
        return Response(
            to_xlsx(rows),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="plein-zoekresultaat-{today}.xlsx"'},
        )
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="plein-zoekresultaat-{today}.csv"'},
    )


@router.post("/registraties/_zoek/export", summary="Zoekresultaat exporteren naar CSV of XLSX")
def export_records_api(
    request: Request,
    gate: RecordsGate,
    _: CsrfDep,
    vraag: BulkZoekvraag,
    formaat: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Any:
    """Alle registraties die u mag zien voor deze zoekvraag (hoogstens 100.000), als download; gelogd."""
    try:
        rows = list(export_rows(gate, vraag.area(), vraag.filters.parsed()))
    except InvalidParam as exc:
        return invalid(request, exc)
    return export_response(rows, formaat)


@router.get("/subjecten/{vestiging_id}/dossier", summary="Dossier van een subject: tijdlijn over alle partners")
def dossier_api(
    gate: RecordsGate,
    vestiging_id: Annotated[int, Path(ge=1, le=2**62)],
    met_personen: Annotated[bool, Query(alias="metPersonen", description="Ook betrokken personen tonen.")] = False,
) -> Any:
    """Alles wat u mag zien over deze vestiging en haar rechtspersoon (met voorgangers en opvolgers)."""
    return build_dossier(gate, vestiging_id, with_persons=met_personen).as_json()


PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Het dossier als PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    "/subjecten/{vestiging_id}/dossier.pdf", summary="Dossier als PDF", response_class=Response, responses=PDF_RESPONSE
)
def dossier_pdf_api(gate: RecordsGate, vestiging_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    """Het dossier als afdrukbare PDF (gelogd als export)."""
    return dossier_pdf_response(gate, vestiging_id, "attachment")


def dossier_pdf_response(gate: Gate, vestiging_id: int, disposition: str) -> Response:
    """The dossier as PDF, audited as ``dossier.pdf``; ``inline`` (page) or ``attachment`` (API)."""
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
        headers={"Content-Disposition": f'{disposition}; filename="dossier-{vestiging_id}.pdf"'},
    )

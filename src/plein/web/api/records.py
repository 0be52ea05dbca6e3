"""``/v1/registraties`` and ``/v1/statistieken``: partner records, always through the policy gate.

Lists, counts and facets are filtered in the database by the gate; a record that exists but may not
be seen answers exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import Select, extract, select

from plein.core.models import Record, organisation_codes
from plein.core.vocabulary import RecordKind
from plein.policy.gate import Gate
from plein.web.api.paging import page_links, page_params
from plein.web.requires import AggregateGate, RecordsGate, Requires
from plein.web.route_policy import Access

router = APIRouter(tags=["registraties"])

ThemaQuery = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9-]+$", description="Themacode.")]
SoortQuery = Annotated[RecordKind | None, Query(description="Soort registratie.")]


def record_out(record: Record, org_codes: dict[int, str]) -> dict[str, Any]:
    """One record as the API shows it (Wgs-forbidden categories never leave the gate)."""
    return Gate.scrub(
        {
            "id": record.id,
            "soort": record.kind,
            "thema": record.theme_code,
            "vertrouwelijkheid": record.confidentiality,
            "datum": record.occurred_on.isoformat(),
            "bronorganisatie": org_codes.get(record.source_organisation_id, ""),
            "gemeldeNaam": record.reported_name,
            "gemeldKvk": record.reported_kvk,
            "vestiging": record.establishment_id,
        }
    )


def filtered(thema: str | None, soort: RecordKind | None) -> Select[Any]:
    query = select(Record)
    if thema:
        query = query.where(Record.theme_code == thema)
    if soort:
        query = query.where(Record.kind == soort.value)
    return query


@router.get("/registraties", summary="Registraties opvragen (alleen wat u mag zien, voor het gekozen doel)")
def list_records(
    request: Request,
    gate: RecordsGate,
    thema: ThemaQuery = None,
    soort: SoortQuery = None,
    pagina: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Registraties van partners die u onder het opgegeven doel mag zien, nieuwste eerst."""
    paging = page_params(pagina, pagina_grootte)
    query = filtered(thema, soort)
    rows = gate.read_records(
        query.order_by(Record.occurred_on.desc(), Record.id.desc()).offset(paging.offset).limit(paging.pagina_grootte)
    )
    total = gate.count_records(query)
    facets = gate.aggregate([Record.theme_code], where=[query.whereclause] if query.whereclause is not None else [])
    codes = organisation_codes(gate.session)
    return {
        "_links": page_links(request, paging, total),
        "totaal": total,
        "facetten": {"thema": {cell.key[0]: cell.count for cell in facets}},
        "registraties": [record_out(r, codes) for r in rows],
    }


@router.get("/registraties/{registratie_id}", summary="Eén registratie opvragen")
def get_record(
    gate: Annotated[Gate, Requires(Access.RECORDS, record_param="registratie_id")],
    registratie_id: Annotated[int, Path(ge=1, le=2**62)],
) -> dict[str, Any]:
    """Eén registratie; 404 als zij niet bestaat of als u haar niet mag zien (dat is niet te onderscheiden)."""
    record: Record = gate.read_record(registratie_id)
    return record_out(record, organisation_codes(gate.session))


@router.get("/statistieken/registraties", summary="Aantallen registraties (geaggregeerd)")
def record_statistics(
    gate: AggregateGate,
    groeperen: Annotated[Literal["thema", "soort", "jaar"], Query(description="Groeperen op.")] = "thema",
    thema: ThemaQuery = None,
) -> dict[str, Any]:
    """Aantallen per groep; voor beleidsmedewerkers zijn aantallen onder de drempel onderdrukt (null)."""
    column: Any = {
        "thema": Record.theme_code,
        "soort": Record.kind,
        "jaar": extract("year", Record.occurred_on),
    }[groeperen]
    where = [Record.theme_code == thema] if thema else []
    cells = gate.aggregate([column], where=where)
    return {
        "groeperen": groeperen,
        "drempel": gate.min_cell,
        "peildatum": dt.date.today().isoformat(),
        "cellen": [
            {"groep": str(int(c.key[0]) if groeperen == "jaar" else c.key[0]), "aantal": c.count} for c in cells
        ],
    }

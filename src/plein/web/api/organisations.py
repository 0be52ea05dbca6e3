"""``/v1/organisaties``: the partner organisations known to plein."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plein.core.models import Organisation
from plein.core.vocabulary import LegalDomain, OrganisationKind
from plein.errors import NotFound
from plein.web.api.paging import Page, page_links, page_params
from plein.web.deps import db_session
from plein.web.requires import Requires
from plein.web.route_policy import Access

# Organisations are not personal data, but plein is not public: any logged-in account may list them.
router = APIRouter(tags=["organisaties"], dependencies=[Requires(Access.ACCOUNT)])


class OrganisatieOut(BaseModel):
    """One organisation as the API shows it."""

    id: int
    code: str
    naam: str
    soort: OrganisationKind
    rechtsdomein: LegalDomain
    onderdeel_van: int | None = Field(None, alias="onderdeelVan")

    model_config = {"populate_by_name": True}

    @classmethod
    def of(cls, org: Organisation) -> OrganisatieOut:
        return cls(
            id=org.id,
            code=org.code,
            naam=org.name,
            soort=OrganisationKind(org.kind),
            rechtsdomein=LegalDomain(org.legal_domain),
            onderdeelVan=org.parent_id,
        )


class OrganisatieLijst(BaseModel):
    """A page of organisations with HAL links."""

    links: dict[str, Any] = Field(alias="_links")
    totaal: int
    organisaties: list[OrganisatieOut]


@router.get(
    "/organisaties",
    response_model=OrganisatieLijst,
    response_model_by_alias=True,
    summary="Organisaties opvragen",
)
def list_organisations(
    request: Request,
    session: Annotated[Session, Depends(db_session)],
    page: Annotated[Page, Depends(page_params)],
    soort: Annotated[OrganisationKind | None, Query(description="Alleen organisaties van deze soort.")] = None,
    rechtsdomein: Annotated[LegalDomain | None, Query(description="bestuursrecht of strafrecht.")] = None,
) -> dict[str, Any]:
    """Organisaties, gesorteerd op naam, met paginering."""
    query = select(Organisation)
    if soort is not None:
        query = query.where(Organisation.kind == soort.value)
    if rechtsdomein is not None:
        query = query.where(Organisation.legal_domain == rechtsdomein.value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Organisation.name, Organisation.id).offset(page.offset).limit(page.pagina_grootte)
    ).all()
    return {
        "_links": page_links(request, page, total),
        "totaal": total,
        "organisaties": [OrganisatieOut.of(org).model_dump(by_alias=True) for org in rows],
    }


@router.get(
    "/organisaties/{organisatie_id}",
    response_model=OrganisatieOut,
    response_model_by_alias=True,
    summary="Eén organisatie opvragen",
)
def get_organisation(
    session: Annotated[Session, Depends(db_session)],
    organisatie_id: Annotated[int, Path(ge=1, le=2**62)],
) -> OrganisatieOut:
    """Eén organisatie op id."""
    org = session.get(Organisation, organisatie_id)
    if org is None:
        raise NotFound(f"Organisatie {organisatie_id} bestaat niet.")
    return OrganisatieOut.of(org)

"""``/v1/internettoezicht``: themes, offers (the worklist), market view, crawls and label corrections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from plein.policy.gate import Gate
from plein.web.access import CsrfDep
from plein.web.api.paging import Page, page_links, page_params
from plein.web.requires import AccountAuth, Requires
from plein.web.route_policy import Access
from plein.webwatch import service
from plein.webwatch.models import OfferStatus, WebOffer
from plein.webwatch.themes import load_themes

router = APIRouter(prefix="/internettoezicht", tags=["internettoezicht"])
ThemeCode = Annotated[str, Path(max_length=40, pattern=r"^[a-z0-9-]+$")]
WebwatchGate = Annotated[Gate, Requires(Access.RECORDS, samples={"thema": "f-gassen"})]


def offer_out(offer: WebOffer) -> dict[str, Any]:
    """An offer as the API shows it: scrubbed text, seller, score and reasons."""
    return {
        "id": offer.id,
        "thema": offer.theme_code,
        "titel": offer.title,
        "omschrijving": offer.description,
        "prijs": float(offer.price) if offer.price is not None else None,
        "valuta": offer.currency,
        "platform": offer.platform,
        "adres": offer.url,
        "adressen": offer.urls,
        "merk": offer.brand,
        "gtin": offer.gtin,
        "sku": offer.sku,
        "verkoper": offer.seller_name,
        "soortVerkoper": offer.seller_type,
        "kvk": offer.seller_kvk,
        "btwId": offer.seller_vat,
        "rechtspersoonId": offer.legal_entity_id,
        "score": offer.score,
        "waarschijnlijkeOvertreding": offer.likely_violation,
        "redenen": offer.reasons,
        "beoordelingAnalist": offer.label,
        "status": offer.status,
        "terugGekeerd": offer.reappeared,
        "eerstGezien": offer.first_seen.isoformat(),
        "laatstGezien": offer.last_seen.isoformat(),
        "verwijderdePersoonsgegevens": offer.personal_data_removed,
    }


@router.get("/themas", summary="Thema's van internettoezicht")
def themes(_auth: AccountAuth) -> dict[str, Any]:
    """De thema's met zoektermen en regels (referentiegegevens, voor ieder die is ingelogd)."""
    return {
        "themas": [
            {
                "code": t.code,
                "naam": t.name,
                "omschrijving": t.description,
                "zoektermen": list(t.search_terms),
                "regels": [{"code": r.code, "omschrijving": r.description, "gewicht": r.weight} for r in t.rules],
            }
            for t in load_themes().values()
        ]
    }


OFFER_STATUS_PATTERN = f"^({'|'.join(OfferStatus)})$"


@router.get("/aanbod", summary="Aanbod opvragen (werklijst)")
def offers(
    request: Request,
    gate: WebwatchGate,
    paging: Annotated[Page, Depends(page_params)],
    thema: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9-]+$")] = None,
    alleen_overtredingen: Annotated[bool, Query(alias="alleenOvertredingen")] = False,
    status: Annotated[str | None, Query(pattern=OFFER_STATUS_PATTERN)] = None,
) -> dict[str, Any]:
    """Aanbod dat u onder het gekozen doel mag zien, hoogste score eerst."""
    total, rows = service.list_offers(
        gate,
        thema,
        only_violations=alleen_overtredingen,
        status=status,
        limit=paging.pagina_grootte,
        offset=paging.offset,
    )
    return {"_links": page_links(request, paging, total), "totaal": total, "aanbod": [offer_out(o) for o in rows]}


@router.get("/aanbod/{aanbod_id}", summary="Eén aanbieding met bewijs")
def offer(gate: WebwatchGate, aanbod_id: Annotated[int, Path(ge=1, le=2**62)]) -> dict[str, Any]:
    """Eén aanbieding, met de pagina's waarop zij is gezien (datum, adres, inhoudshash)."""
    data = offer_out(service.get_offer(gate, aanbod_id))
    evidence = service.offer_evidence(gate, aanbod_id)
    data["bewijs"] = [
        {
            "paginaId": page.id,
            "opgehaald": page.fetched_at.isoformat(),
            "adres": page.url,
            "hash": page.content_hash,
            "prijs": float(obs.price) if obs.price is not None else None,
        }
        for obs, page in evidence
    ]
    return data


class AanbodBeoordeling(BaseModel):
    """An analyst's correction of the label."""

    overtreding: bool
    toelichting: str = Field("", max_length=2000)


@router.post("/aanbod/{aanbod_id}/beoordeling", summary="Beoordeling corrigeren")
def relabel(
    gate: WebwatchGate, _: CsrfDep, body: AanbodBeoordeling, aanbod_id: Annotated[int, Path(ge=1, le=2**62)]
) -> dict[str, Any]:
    """Leg de beoordeling van een analist vast; zij gaat voor en wordt gebruikt bij hertrainen."""
    return offer_out(service.label_offer(gate, aanbod_id, body.overtreding, body.toelichting))


@router.get("/marktbeeld/{thema}", summary="Marktbeeld van een thema")
def market(gate: WebwatchGate, thema: ThemeCode) -> dict[str, Any]:
    """Aanbod, verkopers en platforms per crawl, en de stand van het aanbod (nieuw, verdwenen, terug)."""
    view = service.market_view(gate, thema)
    for crawl in view["crawls"]:
        crawl["datum"] = crawl["datum"].isoformat()
    return view


@router.get("/crawls", summary="Crawls en hun voortgang")
def crawls(gate: WebwatchGate) -> dict[str, Any]:
    """De laatste crawls van uw organisatie met hun tellingen."""
    return {
        "crawls": [
            {
                "id": c.id,
                "themas": c.themes,
                "status": c.status,
                "modus": c.mode,
                "gestart": c.started_at.isoformat(),
                "klaar": c.finished_at.isoformat() if c.finished_at else None,
                "tellingen": c.stats,
            }
            for c in service.list_crawls(gate)
        ]
    }

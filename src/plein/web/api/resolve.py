"""``/v1/resolutie``: the review queue of uncertain links and the reviewer's decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from plein.audit.actions import AuditAction
from plein.resolve.review import decide, queue_size, review_queue
from plein.web.access import AuthDep, CsrfDep
from plein.web.requires import RecordsGate

router = APIRouter(tags=["resolutie"])


class KoppelingBeoordeling(BaseModel):
    """A reviewer's decision on a proposed link."""

    beslissing: Literal["ja", "nee"]
    toelichting: str = Field("", max_length=500)


@router.get("/resolutie/wachtrij", summary="Koppelingen die op een beoordeling wachten")
def queue_api(
    gate: RecordsGate,
    pagina: Annotated[int, Query(ge=1, le=10_000)] = 1,
    pagina_grootte: Annotated[int, Query(alias="paginaGrootte", ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Alleen koppelingen van registraties die u voor het gekozen doel mag zien, met hun redenen."""
    clause = gate.record_clause(AuditAction.REVIEW_QUEUE)
    items = review_queue(
        gate.session, limit=pagina_grootte, offset=(pagina - 1) * pagina_grootte, visible_records=clause
    )
    gate.audit(AuditAction.REVIEW_QUEUE_VIEW, subjects=[("registratie", i.item_id) for i in items])
    return {
        "_links": {"self": {"href": f"/v1/resolutie/wachtrij?pagina={pagina}"}},
        "totaal": queue_size(gate.session, clause),
        "koppelingen": [
            {
                "id": item.link_id,
                "soort": item.item_kind,
                "registratie": item.item_id,
                "omschrijving": item.item_label,
                "vestiging": item.establishment_id,
                "vestigingOmschrijving": item.establishment_label,
                "matchgewicht": item.match_weight,
                "redenen": item.reasons,
            }
            for item in items
        ],
    }


@router.post("/resolutie/koppelingen/{link_id}/beoordeling", summary="Een koppeling beoordelen")
def decide_api(
    gate: RecordsGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    link_id: Annotated[int, Path(ge=1, le=2**62)],
    body: KoppelingBeoordeling,
) -> dict[str, Any]:
    """Ja of nee; elke volgende resolutierun houdt zich aan deze beslissing."""
    clause = gate.record_clause(AuditAction.REVIEW_DECIDE)
    link = decide(
        gate.session,
        link_id,
        body.beslissing,
        reviewer=auth.user.username,
        note=body.toelichting,
        visible_records=clause,
    )
    gate.audit(
        AuditAction.REVIEW_DECIDE,
        object_type="koppeling",
        object_id=str(link.id),
        subjects=[("registratie", link.item_id)],
    )
    return {"id": link.id, "status": link.status, "vestiging": link.establishment_id}

"""``/v1/samenwerkingen``: the collaborations you take part in, and sharing records into one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from plein.policy.models import Collaboration
from plein.policy.purposes import listed_collaborations
from plein.web.access import CsrfDep, SessionDep
from plein.web.requires import AccountAuth, CollaborationGate

router = APIRouter(tags=["samenwerkingen"])


def collaboration_out(collab: Collaboration) -> dict[str, Any]:
    return {
        "id": collab.id,
        "code": collab.code,
        "naam": collab.name,
        "soort": collab.kind,
        "thema": collab.theme_code,
        "scope": collab.scope,
        "rechtsgrondslag": collab.legal_basis,
        "begindatum": collab.starts_on.isoformat(),
        "einddatum": collab.ends_on.isoformat(),
        "doel": f"samenwerking:{collab.id}",
    }


@router.get("/samenwerkingen", summary="Uw samenwerkingen")
def list_collaborations(session: SessionDep, auth: AccountAuth) -> dict[str, Any]:
    """De samenwerkingen waarvan u lid bent (een beheerder ziet ze alle, zonder inhoud)."""
    rows = listed_collaborations(session, auth.user.id, auth.role)
    return {"totaal": len(rows), "samenwerkingen": [collaboration_out(c) for c in rows]}


class ShareIn(BaseModel):
    """Which own record to share."""

    registratie: int = Field(ge=1, le=2**62)


@router.post(
    "/samenwerkingen/{samenwerking_id}/gedeelde-registraties",
    status_code=201,
    summary="Een eigen registratie delen in een samenwerking",
)
def share_record(
    gate: CollaborationGate,
    _csrf: CsrfDep,
    samenwerking_id: Annotated[int, Path(ge=1, le=2**62)],
    body: ShareIn,
) -> dict[str, Any]:
    """Deel een registratie van uw eigen organisatie in een lopende samenwerking waarvan u lid bent."""
    shared = gate.share_record(body.registratie)
    gate.session.flush()
    return {"samenwerking": samenwerking_id, "registratie": shared.record_id, "gedeeldOp": shared.shared_at.isoformat()}

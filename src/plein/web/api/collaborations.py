"""``/v1/samenwerkingen``: the collaborations you take part in, and sharing records into one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from plein.policy.gate import Gate
from plein.policy.models import Collaboration, CollaborationMember
from plein.policy.roles import Purpose, Role
from plein.web.access import AuthDep, CsrfDep, SessionDep, request_keys, request_trace

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
def list_collaborations(session: SessionDep, auth: AuthDep) -> dict[str, Any]:
    """De samenwerkingen waarvan u lid bent (een beheerder ziet ze alle, zonder inhoud)."""
    query = select(Collaboration).order_by(Collaboration.name)
    if auth.role != Role.BEHEERDER:
        query = query.join(CollaborationMember, CollaborationMember.collaboration_id == Collaboration.id).where(
            CollaborationMember.user_id == auth.user.id
        )
    rows = session.scalars(query).all()
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
    request: Request,
    session: SessionDep,
    auth: AuthDep,
    _csrf: CsrfDep,
    samenwerking_id: Annotated[int, Path(ge=1, le=2**62)],
    body: ShareIn,
) -> dict[str, Any]:
    """Deel een registratie van uw eigen organisatie in een lopende samenwerking waarvan u lid bent."""
    gate = Gate(
        session,
        auth.actor,
        Purpose.for_collaboration(samenwerking_id),
        trace=request_trace(request),
        keys=request_keys(request),
    )
    shared = gate.share_record(body.registratie)
    session.flush()
    return {"samenwerking": samenwerking_id, "registratie": shared.record_id, "gedeeldOp": shared.shared_at.isoformat()}

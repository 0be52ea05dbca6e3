"""Dutch HTML pages. The home page says what is loaded."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from plein.audit.actions import AuditAction
from plein.core.models import (
    DemoSeedRun,
    Organisation,
    Record,
)
from plein.core.vocabulary import RecordKind
from plein.policy.gate import Gate
from plein.policy.overview import overview
from plein.policy.register import Operation
from plein.policy.scopes import ScopeKind
from plein.web.requires import AggregateGate

router = APIRouter(include_in_schema=False)

RECORD_LABELS = {
    RecordKind.INSPECTIE: "Inspecties",
    RecordKind.VERGUNNING: "Vergunningen",
    RecordKind.MELDING: "Meldingen",
    RecordKind.TRANSPORT: "Transporten",
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, gate: AggregateGate) -> HTMLResponse:
    """What this user may see right now, in counts (through the policy gate), and which demo world is loaded."""
    session = gate.session
    seen = overview(gate)
    subject_counts: list[tuple[str, int | None]] = [
        ("Organisaties", session.scalar(select(func.count()).select_from(Organisation)) or 0),
        *seen.subject_counts,
    ]
    record_counts = seen.record_counts
    seed = session.scalars(select(DemoSeedRun).order_by(DemoSeedRun.id.desc()).limit(1)).first()
    first = first_dossier(gate)
    return request.app.state.templates.TemplateResponse(
        request,
        "home.html",
        {
            "subject_counts": subject_counts,
            "record_counts": record_counts,
            "seed": seed,
            "note": seen.note,
            "first_dossier": first,
        },
    )


def first_dossier(gate: Gate) -> tuple[int, int] | None:
    """A dossier to start from: the establishment with the most records this user may see (id, count).

    Only for roles that read records under a purpose that reaches them; others get None without a
    refusal being logged. Names no one: the link leads to the dossier, which reads through the gate.
    """
    reaches_records = (ScopeKind.OWN_ORGANISATION, ScopeKind.COLLABORATION, ScopeKind.ALL)
    if not gate.permits(Operation.CASE_CONTENT) or gate.scope().kind not in reaches_records:
        return None
    per_establishment = (
        select(Record.establishment_id, func.count().label("n"))
        .where(Record.establishment_id.is_not(None), gate.record_clause(AuditAction.DOSSIER_SUGGEST))
        .group_by(Record.establishment_id)
        .order_by(func.count().desc(), Record.establishment_id)
        .limit(1)
    )
    row = gate.session.execute(per_establishment).first()
    if row is None or row[0] is None:
        return None
    establishment_id, count = int(row[0]), int(row[1])
    gate.audit(
        AuditAction.DOSSIER_SUGGEST, object_type="vestiging", object_id=str(establishment_id), details={"aantal": count}
    )
    return establishment_id, count

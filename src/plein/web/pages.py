"""Dutch HTML pages. The home page says what is loaded."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from plein.core.models import (
    DemoSeedRun,
    Organisation,
)
from plein.core.vocabulary import RecordKind
from plein.policy.overview import overview
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
    return request.app.state.templates.TemplateResponse(
        request,
        "home.html",
        {"subject_counts": subject_counts, "record_counts": record_counts, "seed": seed, "note": seen.note},
    )

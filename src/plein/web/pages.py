"""Dutch HTML pages. The home page says what is loaded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plein.core.models import (
    DemoSeedRun,
    Establishment,
    LegalEntity,
    Organisation,
    Person,
    Record,
)
from plein.core.vocabulary import RecordKind
from plein.web.deps import db_session

router = APIRouter(include_in_schema=False)

RECORD_LABELS = {
    RecordKind.INSPECTIE: "Inspecties",
    RecordKind.VERGUNNING: "Vergunningen",
    RecordKind.MELDING: "Meldingen",
    RecordKind.TRANSPORT: "Transporten",
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: Annotated[Session, Depends(db_session)]) -> HTMLResponse:
    """What plein holds right now, in counts, and which demo world is loaded."""
    subject_counts = [
        ("Organisaties", session.scalar(select(func.count()).select_from(Organisation)) or 0),
        ("Rechtspersonen", session.scalar(select(func.count()).select_from(LegalEntity)) or 0),
        ("Vestigingen", session.scalar(select(func.count()).select_from(Establishment)) or 0),
        ("Personen", session.scalar(select(func.count()).select_from(Person)) or 0),
    ]
    by_kind = dict(session.execute(select(Record.kind, func.count()).group_by(Record.kind)).all())
    record_counts = [(label, by_kind.get(kind.value, 0)) for kind, label in RECORD_LABELS.items()]
    seed = session.scalars(select(DemoSeedRun).order_by(DemoSeedRun.id.desc()).limit(1)).first()
    return request.app.state.templates.TemplateResponse(
        request,
        "home.html",
        {"subject_counts": subject_counts, "record_counts": record_counts, "seed": seed},
    )

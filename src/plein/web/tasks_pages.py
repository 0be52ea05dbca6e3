"""``/taken``: imports, crawls and resolution runs with a progress bar; the page polls its own fragment."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from plein.tasks import recent_tasks
from plein.web.access import SessionDep
from plein.web.requires import AccountAuth

router = APIRouter(include_in_schema=False)


def _context(session: Session, auth: AccountAuth) -> dict[str, object]:
    tasks = recent_tasks(session, auth.user.organisation_id)
    return {"tasks": tasks, "running": any(t.running for t in tasks)}


@router.get("/taken", response_class=HTMLResponse)
def tasks_page(request: Request, session: SessionDep, auth: AccountAuth) -> HTMLResponse:
    """Lopend en afgerond werk van uw organisatie: imports, crawls en entiteitsresolutie."""
    return request.app.state.templates.TemplateResponse(request, "tasks/list.html", _context(session, auth))


@router.get("/taken/voortgang", response_class=HTMLResponse)
def tasks_fragment(request: Request, session: SessionDep, auth: AccountAuth) -> HTMLResponse:
    """Alleen de lijst (htmx vraagt hem elke paar seconden opnieuw op zolang er iets loopt)."""
    return request.app.state.templates.TemplateResponse(request, "tasks/_rows.html", _context(session, auth))

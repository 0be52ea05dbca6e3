"""Public pages: the statements a Dutch government application carries (accessibility, privacy,
contact) and "Aan de slag", what each role does first.

No login needed; the statements are linked from the footer of every page, the login page too. The privacy
statement lists the register of processing activities as this installation holds it, so it cannot
drift from what the gate enforces.
"""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from plein.policy.models import ProcessingActivity
from plein.web.access import LoginRequired, SessionDep, optional_auth
from plein.web.requires import PUBLIC

router = APIRouter(include_in_schema=False)

SCOPE_LABELS = {
    "eigen_organisatie": "registraties van de eigen organisatie",
    "samenwerking": "registraties gedeeld binnen een samenwerking",
    "aggregaat": "alleen tellingen, geen gegevens over personen of bedrijven",
    "audit": "het verwerkingenlogboek",
    "configuratie": "accounts, organisaties en instellingen, geen inhoud van zaken",
    "alle": "processen van het platform zelf, zonder weergave aan gebruikers",
}


def _show_nav(request: Request, session: SessionDep) -> None:
    """Show the logged-in navigation when there is a valid session; a stale cookie is no error here."""
    with contextlib.suppress(LoginRequired):
        optional_auth(request, session)


def _page(request: Request, template: str, context: dict[str, object] | None = None) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, f"statements/{template}", context or {})


@router.get("/toegankelijkheidsverklaring", response_class=HTMLResponse, dependencies=[PUBLIC])
def accessibility(request: Request, session: SessionDep) -> HTMLResponse:
    """Toegankelijkheidsverklaring: welke norm plein nastreeft en hoe dat getoetst wordt."""
    _show_nav(request, session)
    return _page(request, "toegankelijkheid.html")


@router.get("/privacyverklaring", response_class=HTMLResponse, dependencies=[PUBLIC])
def privacy(request: Request, session: SessionDep) -> HTMLResponse:
    """Privacyverklaring met de verwerkingen uit het verwerkingsregister van deze installatie."""
    _show_nav(request, session)
    rows = session.scalars(
        select(ProcessingActivity).where(ProcessingActivity.active.is_(True)).order_by(ProcessingActivity.name)
    ).all()
    activities = [
        {"name": a.name, "purpose": a.purpose, "legal_basis": a.legal_basis, "scope": SCOPE_LABELS.get(a.scope, "")}
        for a in rows
    ]
    return _page(request, "privacy.html", {"activities": activities})


@router.get("/contact", response_class=HTMLResponse, dependencies=[PUBLIC])
def contact(request: Request, session: SessionDep) -> HTMLResponse:
    """Contact: bij wie een gebruiker of betrokkene terecht kan."""
    _show_nav(request, session)
    return _page(request, "contact.html")


@router.get("/aan-de-slag", response_class=HTMLResponse, dependencies=[PUBLIC])
def getting_started(request: Request, session: SessionDep) -> HTMLResponse:
    """Aan de slag: wat elke rol als eerste doet."""
    _show_nav(request, session)
    return _page(request, "aan_de_slag.html")

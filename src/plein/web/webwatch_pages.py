"""``/internettoezicht``: Dutch pages for analysts and inspectors: themes and crawls, market view and
worklist per theme, one offer with its reasons and evidence, label corrections and exports."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plein.audit.actions import AuditAction
from plein.dossier.subjects import dossier_of_legal_entities
from plein.errors import ValidationError
from plein.policy.activities import activity_rule
from plein.policy.gate import Gate
from plein.policy.register import BEWIJS, Operation
from plein.web.access import AuthDep, CsrfDep
from plein.web.requires import Requires
from plein.web.route_policy import Access
from plein.webwatch import service
from plein.webwatch.export import worklist_csv, worklist_xlsx
from plein.webwatch.themes import get_theme, load_themes

router = APIRouter(include_in_schema=False)
ThemeCode = Annotated[str, Path(max_length=40, pattern=r"^[a-z0-9-]+$")]
OfferId = Annotated[int, Path(ge=1, le=2**62)]
PAGE_SIZE = 50
_SAMPLES = {"thema": "f-gassen", "formaat": "csv"}
WebwatchGate = Annotated[Gate, Requires(Access.RECORDS, samples=_SAMPLES)]
CrawlGate = Annotated[
    Gate,
    Requires(Access.RECORDS, samples=_SAMPLES, operation=Operation.START_CRAWL, action=AuditAction.WEB_CRAWL_START),
]


@router.get("/internettoezicht", response_class=HTMLResponse)
def overview(request: Request, gate: WebwatchGate, auth: AuthDep) -> HTMLResponse:
    """Thema's, de laatste crawls met hun voortgang, en (voor analisten) een crawl starten."""
    crawls = service.list_crawls(gate)
    return request.app.state.templates.TemplateResponse(
        request,
        "webwatch/overview.html",
        {
            "themes": list(load_themes().values()),
            "crawls": crawls,
            "may_start": gate.permits(Operation.START_CRAWL),
            "csrf_token": auth.csrf_token,
        },
    )


@router.post("/internettoezicht/crawls")
def start_crawl(
    request: Request,
    _: CsrfDep,  # before the gate's role rule, as for every form: a forged post is refused as such
    gate: CrawlGate,
    auth: AuthDep,
    thema: Annotated[str, Form(max_length=40, pattern=r"^[a-z0-9-]+$")],
    startadressen: Annotated[str, Form(max_length=20_000)] = "",
    demo: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Start een crawl als eigen proces (Scrapy draait één keer per proces); de voortgang staat op het overzicht."""
    gate.record_clause(AuditAction.WEB_CRAWL_START)
    get_theme(thema)
    urls = [u.strip() for u in startadressen.split() if u.strip()]
    if any(not u.startswith(("http://", "https://")) for u in urls):
        raise ValidationError("Startadressen moeten met http:// of https:// beginnen, één per regel.")
    args = [sys.executable, "-m", "plein", "webwatch", "crawl", thema, "--organisation", auth.user.organisation.code]
    for url in urls:
        args += ["--start-url", url]
    if demo:
        args.append("--demo")
    if not urls and not demo and not get_theme(thema).sources:
        raise ValidationError("Geef startadressen op, kies de demowebwinkels, of zet bronnen in het thema.")
    settings = request.app.state.settings
    env = {
        **os.environ,
        "PLEIN_DATABASE_URL": request.app.state.engine.url.render_as_string(hide_password=False),
        "PLEIN_VAR_DIR": str(settings.var_dir.resolve()),
        "PLEIN_SECRET_KEY": settings.resolved_secret_key(),
    }
    subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # noqa: S603
    gate.audit(AuditAction.WEB_CRAWL_START, object_type="thema", object_id=thema, details={"adressen": len(urls)})
    return RedirectResponse("/internettoezicht", status_code=303)


@router.get("/internettoezicht/thema/{thema}", response_class=HTMLResponse)
def theme_page(
    request: Request,
    gate: WebwatchGate,
    thema: ThemeCode,
    alles: Annotated[bool, Query()] = False,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
    volgorde: Annotated[str, Query(pattern="^(score|nieuwste|prijs)$")] = "score",
) -> HTMLResponse:
    """Marktbeeld en werklijst van één thema (hoogste score, laatst gezien of laagste prijs eerst)."""
    theme = get_theme(thema)
    view = service.market_view(gate, thema)
    total, offers = service.list_offers(
        gate, thema, only_violations=not alles, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE, order=volgorde
    )
    return request.app.state.templates.TemplateResponse(
        request,
        "webwatch/theme.html",
        {
            "theme": theme,
            "view": view,
            "offers": offers,
            "total": total,
            "all": alles,
            "page": pagina,
            "size": PAGE_SIZE,
            "volgorde": volgorde,
        },
    )


@router.get("/internettoezicht/thema/{thema}/werklijst.{formaat}")
def export(gate: WebwatchGate, thema: ThemeCode, formaat: Annotated[str, Path(pattern=r"^(csv|xlsx)$")]) -> Response:
    """De werklijst als CSV (puntkomma's, UTF-8) of Excel."""
    get_theme(thema)
    if formaat == "csv":
        body, media = worklist_csv(gate, thema), "text/csv; charset=utf-8"
    else:
        body = worklist_xlsx(gate, thema)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="werklijst-{thema}.{formaat}"'}
    )


@router.get("/internettoezicht/aanbod/{aanbod_id}", response_class=HTMLResponse)
def offer_page(request: Request, gate: WebwatchGate, auth: AuthDep, aanbod_id: OfferId) -> HTMLResponse:
    """Eén aanbieding: wat er stond, waarom zij opvalt, en het bewijs per dag."""
    offer = service.get_offer(gate, aanbod_id)
    evidence = service.offer_evidence(gate, aanbod_id)
    seller = dossier_of_legal_entities(gate, [offer.legal_entity_id] if offer.legal_entity_id else [])
    return request.app.state.templates.TemplateResponse(
        request,
        "webwatch/offer.html",
        {
            "offer": offer,
            "evidence": evidence,
            "seller_dossier": seller.get(offer.legal_entity_id or 0),
            "may_label": gate.permits(Operation.LABEL_OFFER),
            "csrf_token": auth.csrf_token,
        },
    )


@router.post("/internettoezicht/aanbod/{aanbod_id}/beoordeling")
def relabel(
    gate: WebwatchGate,
    _: CsrfDep,
    aanbod_id: OfferId,
    overtreding: Annotated[str, Form(pattern=r"^(ja|nee)$")],
    toelichting: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Corrigeer de beoordeling; de correctie telt mee bij het volgende hertrainen."""
    service.label_offer(gate, aanbod_id, overtreding == "ja", toelichting)
    return RedirectResponse(f"/internettoezicht/aanbod/{aanbod_id}", status_code=303)


PageId = Annotated[int, Path(ge=1, le=2**62)]


def _may_use(gate: Gate, activity: str) -> bool:
    """Whether the register lets the user's role state ``activity`` as purpose (to offer it in the page)."""
    rule = activity_rule(gate.session, activity)
    return rule is not None and rule.active and gate.actor.role.value in rule.roles


@router.get("/internettoezicht/aanbod/{aanbod_id}/bewijs/{pagina_id}", response_class=HTMLResponse)
def evidence_page(
    request: Request, gate: WebwatchGate, auth: AuthDep, aanbod_id: OfferId, pagina_id: PageId
) -> HTMLResponse:
    """De opgehaalde pagina als leesbare tekst zonder persoonsgegevens, met datum en hash."""
    view = service.evidence_view(gate, aanbod_id, pagina_id, request.app.state.settings)
    return request.app.state.templates.TemplateResponse(
        request,
        "webwatch/evidence.html",
        {
            "page": view,
            "raw": False,
            "offer_id": aanbod_id,
            "evidence_purpose": gate.purpose.activity_code == BEWIJS,
            "may_ask_raw": _may_use(gate, BEWIJS),
            "min_reason": service.MIN_EVIDENCE_REASON,
            "csrf_token": auth.csrf_token,
        },
    )


@router.post("/internettoezicht/aanbod/{aanbod_id}/bewijs/{pagina_id}/onbewerkt", response_class=HTMLResponse)
def raw_evidence_page(
    request: Request,
    gate: WebwatchGate,
    _: CsrfDep,
    aanbod_id: OfferId,
    pagina_id: PageId,
    reden: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    """De pagina zoals zij is opgehaald, als brontekst (nooit als werkende HTML): alleen onder het doel
    Bewijsvoering en met een reden, die in het verwerkingenlogboek komt."""
    page = service.read_evidence(gate, aanbod_id, pagina_id, request.app.state.settings, reason=reden)
    return request.app.state.templates.TemplateResponse(
        request,
        "webwatch/evidence.html",
        {
            "page": page,
            "raw": True,
            "source": page.body[:2_000_000].decode("utf-8", errors="replace"),
            "offer_id": aanbod_id,
        },
    )

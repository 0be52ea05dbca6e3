"""Gated reads of the webwatch tables: worklist, market view, evidence and crawls.

Reads come from people under their stated purpose: the gate decides who sees an offer, and every
read is audited."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy import func, select

from plein.audit.actions import AuditAction
from plein.errors import ValidationError
from plein.policy.errors import NotVisible, Refused
from plein.policy.gate import Gate
from plein.policy.register import BEWIJS
from plein.policy.scopes import ScopeKind
from plein.settings import Settings
from plein.webwatch.evidence import EvidencePage, default_evidence_root, read_page
from plein.webwatch.models import OfferStatus, WebCrawl, WebObservation, WebOffer, WebPage
from plein.webwatch.visibility import visible_offers

MIN_EVIDENCE_REASON = 20


def list_offers(
    gate: Gate,
    theme: str | None = None,
    *,
    only_violations: bool = False,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    order: str = "score",
) -> tuple[int, list[WebOffer]]:
    """Offers visible to the actor, highest score first (``order``: ``score``, ``nieuwste`` last seen
    first, ``prijs`` lowest price first): the inspector's worklist when ``only_violations``. Audited
    with the number of offers read."""
    query = select(WebOffer).where(visible_offers(gate, AuditAction.WEB_OFFERS_READ))
    if theme:
        query = query.where(WebOffer.theme_code == theme)
    if only_violations:
        query = query.where(WebOffer.likely_violation.is_(True), WebOffer.status != OfferStatus.GONE)
    if status:
        query = query.where(WebOffer.status == status)
    total = gate.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    orders: dict[str, tuple[Any, ...]] = {
        "score": (WebOffer.score.desc(), WebOffer.id),
        "nieuwste": (WebOffer.last_seen.desc(), WebOffer.id),
        "prijs": (WebOffer.price.is_(None), WebOffer.price.asc(), WebOffer.id),
    }
    rows = list(gate.session.scalars(query.order_by(*orders.get(order, orders["score"])).offset(offset).limit(limit)))
    gate.audit(
        AuditAction.WEB_OFFERS_READ,
        object_type="webaanbod",
        details={"thema": theme or "", "aantal": len(rows)},
        subjects=[("kvk", o.seller_kvk) for o in rows if o.seller_kvk],
    )
    return total, rows


def _not_visible(gate: Gate, action: AuditAction, object_type: str, what: str, ident: int) -> NoReturn:
    """Log the refusal at once and answer as for a missing id."""
    gate.audit(
        action, status="geweigerd", rule="need-to-know", object_type=object_type, object_id=str(ident), durable=True
    )
    raise NotVisible(what, ident)


def get_offer(gate: Gate, offer_id: int) -> WebOffer:
    """One offer, or NotVisible (404) when absent or not allowed: one answer for both."""
    offer = gate.session.scalars(
        select(WebOffer).where(WebOffer.id == offer_id, visible_offers(gate, AuditAction.WEB_OFFERS_READ))
    ).first()
    if offer is None:
        _not_visible(gate, AuditAction.WEB_OFFERS_READ, "webaanbod", "Aanbod", offer_id)
    gate.audit(
        AuditAction.WEB_OFFERS_READ,
        object_type="webaanbod",
        object_id=str(offer_id),
        subjects=[("kvk", offer.seller_kvk)] if offer.seller_kvk else [],
    )
    return offer


def offer_evidence(gate: Gate, offer_id: int) -> list[tuple[WebObservation, WebPage]]:
    """Every observation of an offer with its page (date, URL, content hash): the evidence list."""
    offer = get_offer(gate, offer_id)
    rows = gate.session.execute(
        select(WebObservation, WebPage)
        .join(WebPage, WebPage.id == WebObservation.page_id)
        .where(WebObservation.offer_id == offer.id)
        .order_by(WebObservation.seen_at.desc())
    ).all()
    return [(observation, page) for observation, page in rows]


@dataclass(frozen=True)
class EvidenceView:
    """A stored page as shown by default: readable text with personal data removed, and its proof."""

    url: str
    fetched_at: str
    status: int
    content_hash: str
    text: str
    removed: dict[str, int]  # kind of personal data → how many were removed


def _evidence_row(gate: Gate, offer_id: int, page_id: int) -> WebPage:
    """The page row of a visible offer's observation; NotVisible (audited) otherwise."""
    offer = get_offer(gate, offer_id)
    page = gate.session.scalars(
        select(WebPage)
        .join(WebObservation, WebObservation.page_id == WebPage.id)
        .where(WebObservation.offer_id == offer.id, WebPage.id == page_id)
    ).first()
    if page is None or page.warc_offset < 0:
        _not_visible(gate, AuditAction.WEB_EVIDENCE_READ, "webpagina", "Bewijspagina", page_id)
    return page


def evidence_view(gate: Gate, offer_id: int, page_id: int, settings: Settings | None = None) -> EvidenceView:
    """The page of a visible offer as readable text, scrubbed of personal data (the default view), audited."""
    from plein.webwatch.readable import readable_text
    from plein.webwatch.scrub import default_scrubber

    page = _evidence_row(gate, offer_id, page_id)
    raw = read_page(default_evidence_root(settings), page.warc_file, page.warc_offset)
    scrubbed = default_scrubber().scrub(readable_text(raw.body, page.content_type))
    removed = dict(Counter(finding.entity_type for finding in scrubbed.findings))
    gate.audit(
        AuditAction.WEB_EVIDENCE_READ,
        object_type="webpagina",
        object_id=str(page_id),
        details={"hash": raw.content_hash, "weergave": "geschoond", "verwijderd": sum(removed.values())},
    )
    return EvidenceView(raw.url, raw.fetched_at, raw.status, raw.content_hash, scrubbed.text, removed)


def read_evidence(
    gate: Gate, offer_id: int, page_id: int, settings: Settings | None = None, *, reason: str
) -> EvidencePage:
    """The raw page as fetched, for evidence only: an inspector under the purpose ``bewijsvoering``
    with a stated reason (at least ``MIN_EVIDENCE_REASON`` characters), written to the audit log."""
    action = AuditAction.WEB_EVIDENCE_RAW_READ
    gate.scope()
    if gate.purpose.activity_code != BEWIJS:
        message = "De onbewerkte pagina is alleen in te zien onder het doel Bewijsvoering (inspecteur), met een reden."
        gate.audit(action, status="geweigerd", rule="doelbinding", details={"melding": message}, durable=True)
        raise Refused("doelbinding", message)
    reason = " ".join(reason.split())
    if len(reason) < MIN_EVIDENCE_REASON:
        raise ValidationError(
            f"Reden: leg vast waarom u de onbewerkte pagina nodig hebt (minstens {MIN_EVIDENCE_REASON} tekens)."
        )
    page = _evidence_row(gate, offer_id, page_id)
    gate.audit(  # an entry of its own, written at once: findable by name, whatever the request does next
        action,
        object_type="webpagina",
        object_id=str(page_id),
        details={"hash": page.content_hash, "weergave": "onbewerkt", "reden": reason[:1000]},
        durable=True,
    )
    return read_page(default_evidence_root(settings), page.warc_file, page.warc_offset)


def market_view(gate: Gate, theme: str) -> dict[str, Any]:
    """Offers, sellers and platforms per crawl over time, plus the changes since the last crawl."""
    visible = visible_offers(gate, AuditAction.WEB_MARKET_READ)
    session = gate.session
    per_crawl = session.execute(
        select(
            WebCrawl.id,
            WebCrawl.started_at,
            func.count(func.distinct(WebObservation.offer_id)),
            func.count(func.distinct(WebOffer.seller_name)),
            func.count(func.distinct(WebOffer.platform)),
        )
        .join(WebObservation, WebObservation.crawl_id == WebCrawl.id)
        .join(WebOffer, WebOffer.id == WebObservation.offer_id)
        .where(WebOffer.theme_code == theme, visible)
        .group_by(WebCrawl.id, WebCrawl.started_at)
        .order_by(WebCrawl.started_at)
    ).all()
    offers = list(session.scalars(select(WebOffer).where(WebOffer.theme_code == theme, visible)))
    platforms: dict[str, Counter[str]] = defaultdict(Counter)
    for offer in offers:
        platforms[offer.platform]["aanbiedingen"] += offer.status != OfferStatus.GONE
        platforms[offer.platform]["overtredingen"] += offer.likely_violation and offer.status != OfferStatus.GONE
    sellers = Counter(o.seller_name for o in offers if o.status != OfferStatus.GONE)
    gate.audit(AuditAction.WEB_MARKET_READ, object_type="thema", object_id=theme)
    return {
        "thema": theme,
        "crawls": [
            {"crawl": c, "datum": d, "aanbiedingen": n, "verkopers": s, "platforms": p} for c, d, n, s, p in per_crawl
        ],
        "status": dict(Counter(o.status for o in offers)),
        "platforms": {k: dict(v) for k, v in sorted(platforms.items())},
        "verkopers": sellers.most_common(20),
        "waarschijnlijke_overtredingen": sum(o.likely_violation and o.status != OfferStatus.GONE for o in offers),
        "gekoppeld_aan_kvk": sum(1 for o in offers if o.legal_entity_id is not None),
    }


def list_crawls(gate: Gate, limit: int = 20) -> list[WebCrawl]:
    """Recent crawls of the actor's organisation (progress and counts)."""
    gate.record_clause(AuditAction.WEB_CRAWLS_READ)
    query = select(WebCrawl).order_by(WebCrawl.started_at.desc()).limit(limit)
    if gate.scope().kind != ScopeKind.ALL:
        query = query.where(WebCrawl.organisation_id == gate.actor.organisation_id)
    return list(gate.session.scalars(query))


def crawl_pages(gate: Gate, crawl_id: str, problems_only: bool = False) -> list[WebPage]:
    """Pages of one crawl of the actor's organisation, with their status and problem."""
    crawls = {c.id for c in list_crawls(gate, limit=10_000)}
    if crawl_id not in crawls:
        raise NotVisible("Crawl", crawl_id)
    query = select(WebPage).where(WebPage.crawl_id == crawl_id).order_by(WebPage.id)
    if problems_only:
        query = query.where(WebPage.problem != "")
    return list(gate.session.scalars(query))

"""Gated reads of the webwatch tables: worklist, market view, evidence and crawls.

Reads come from people under their stated purpose: the gate decides who sees an offer, and every
read is audited.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select

from plein.policy.errors import NotVisible
from plein.policy.gate import Gate
from plein.settings import Settings
from plein.webwatch.evidence import EvidencePage, default_evidence_root, read_page
from plein.webwatch.models import WebCrawl, WebObservation, WebOffer, WebPage
from plein.webwatch.visibility import visible_offers


def list_offers(
    gate: Gate,
    theme: str | None = None,
    *,
    only_violations: bool = False,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[WebOffer]]:
    """Offers visible to the actor, highest score first: the inspector's worklist when
    ``only_violations``. Audited with the number of offers read."""
    query = select(WebOffer).where(visible_offers(gate, "webwatch.aanbod.lezen"))
    if theme:
        query = query.where(WebOffer.theme_code == theme)
    if only_violations:
        query = query.where(WebOffer.likely_violation.is_(True), WebOffer.status != "verdwenen")
    if status:
        query = query.where(WebOffer.status == status)
    total = gate.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(gate.session.scalars(query.order_by(WebOffer.score.desc(), WebOffer.id).offset(offset).limit(limit)))
    gate.audit(
        "webwatch.aanbod.lezen",
        object_type="webaanbod",
        details={"thema": theme or "", "aantal": len(rows)},
        subjects=[("kvk", o.seller_kvk) for o in rows if o.seller_kvk],
    )
    return total, rows


def get_offer(gate: Gate, offer_id: int) -> WebOffer:
    """One offer, or NotVisible (404) when absent or not allowed: one answer for both."""
    offer = gate.session.scalars(
        select(WebOffer).where(WebOffer.id == offer_id, visible_offers(gate, "webwatch.aanbod.lezen"))
    ).first()
    if offer is None:
        gate.audit(
            "webwatch.aanbod.lezen",
            status="geweigerd",
            rule="need-to-know",
            object_type="webaanbod",
            object_id=str(offer_id),
            durable=True,
        )
        raise NotVisible("Aanbod", offer_id)
    gate.audit(
        "webwatch.aanbod.lezen",
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


def read_evidence(gate: Gate, offer_id: int, page_id: int, settings: Settings | None = None) -> EvidencePage:
    """The raw page as fetched (access-restricted: only via a visible offer), audited."""
    offer = get_offer(gate, offer_id)
    page = gate.session.scalars(
        select(WebPage)
        .join(WebObservation, WebObservation.page_id == WebPage.id)
        .where(WebObservation.offer_id == offer.id, WebPage.id == page_id)
    ).first()
    if page is None or page.warc_offset < 0:
        raise NotVisible("Bewijspagina", page_id)
    gate.audit(
        "webwatch.bewijs.lezen", object_type="webpagina", object_id=str(page_id), details={"hash": page.content_hash}
    )
    return read_page(default_evidence_root(settings), page.warc_file, page.warc_offset)


def market_view(gate: Gate, theme: str) -> dict[str, Any]:
    """Offers, sellers and platforms per crawl over time, plus the changes since the last crawl."""
    visible = visible_offers(gate, "webwatch.marktbeeld.lezen")
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
        platforms[offer.platform]["aanbiedingen"] += offer.status != "verdwenen"
        platforms[offer.platform]["overtredingen"] += offer.likely_violation and offer.status != "verdwenen"
    sellers = Counter(o.seller_name for o in offers if o.status != "verdwenen")
    gate.audit("webwatch.marktbeeld.lezen", object_type="thema", object_id=theme)
    return {
        "thema": theme,
        "crawls": [
            {"crawl": c, "datum": d, "aanbiedingen": n, "verkopers": s, "platforms": p} for c, d, n, s, p in per_crawl
        ],
        "status": dict(Counter(o.status for o in offers)),
        "platforms": {k: dict(v) for k, v in sorted(platforms.items())},
        "verkopers": sellers.most_common(20),
        "waarschijnlijke_overtredingen": sum(o.likely_violation and o.status != "verdwenen" for o in offers),
        "gekoppeld_aan_kvk": sum(1 for o in offers if o.legal_entity_id is not None),
    }


def list_crawls(gate: Gate, limit: int = 20) -> list[WebCrawl]:
    """Recent crawls of the actor's organisation (progress and counts)."""
    gate.record_clause("webwatch.crawls.lezen")
    query = select(WebCrawl).order_by(WebCrawl.started_at.desc()).limit(limit)
    if gate.scope().kind != "alle":
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

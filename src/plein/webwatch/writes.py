"""Crawl writes: the only code that stores pages and offers, as a system actor through the gate.

Writes come from the crawler as a system actor of the crawling organisation under the processing
activity ``gegevensaanlevering``; offers belong to the organisation that crawled them, like records."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.core.models import LegalEntity
from plein.policy.gate import Gate, system_gate
from plein.policy.register import AANLEVERING
from plein.store.engine import session_factory
from plein.webwatch.evidence import StoredPage, default_evidence_root
from plein.webwatch.models import OfferStatus, WebCrawl, WebObservation, WebOffer, WebPage
from plein.webwatch.process import ProcessedOffer

SOURCE_SYSTEM = "webwatch"


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


@dataclass
class PageResult:
    """What the crawler hands over for one page."""

    url: str
    status: int
    content_type: str
    stored: StoredPage | None
    problem: str
    offers: list[ProcessedOffer]
    fetched_at: dt.datetime


class CrawlStore:
    """Write side for one crawl, used inside the crawler process."""

    def __init__(self, engine: Engine, crawl_id: str, organisation_id: int, evidence_root: Path | None = None) -> None:
        self.evidence_root = evidence_root or default_evidence_root()
        self.sessions = session_factory(engine)
        self.crawl_id = crawl_id
        self.organisation_id = organisation_id

    def _gate(self, session: Session) -> Gate:
        return system_gate(session, "webwatch", AANLEVERING, organisation_id=self.organisation_id)

    def fetched(self, url: str) -> WebPage | None:
        """The page of this crawl at ``url`` when it was already fetched successfully (for resuming)."""
        with self.sessions() as session:
            return session.scalars(
                select(WebPage).where(
                    WebPage.crawl_id == self.crawl_id, WebPage.url_hash == url_hash(url), WebPage.warc_offset >= 0
                )
            ).first()

    def record_page(self, result: PageResult) -> int:
        """Store the page and its offers in one transaction; retried once on a concurrent insert."""
        for attempt in range(3):
            try:
                return self._record_page(result)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _record_page(self, result: PageResult) -> int:
        with self.sessions() as session:
            gate = self._gate(session)
            page = session.scalars(
                select(WebPage).where(WebPage.crawl_id == self.crawl_id, WebPage.url_hash == url_hash(result.url))
            ).first()
            if page is None:
                page = WebPage(crawl_id=self.crawl_id, url=result.url, url_hash=url_hash(result.url))
                session.add(page)
            page.fetched_at = result.fetched_at
            page.status_code = result.status
            page.content_type = result.content_type[:200]
            page.problem = result.problem
            page.offers_found = len(result.offers)
            if result.stored is not None:
                page.content_hash = result.stored.content_hash
                page.size = result.stored.size
                page.warc_file = result.stored.warc_file
                page.warc_offset = result.stored.offset
            session.flush()
            if result.offers:
                gate.authorise_record_write(
                    self.organisation_id,
                    action=AuditAction.WEB_OFFER_STORE,
                    object_id=result.url[:200],
                    subjects=[("kvk", o.offer.seller_kvk) for o in result.offers if o.offer.seller_kvk],
                )
            for processed in result.offers:
                self._upsert_offer(session, processed, page, result)
            session.commit()
            return page.id

    def _upsert_offer(self, session: Session, processed: ProcessedOffer, page: WebPage, result: PageResult) -> None:
        offer = session.scalars(
            select(WebOffer).where(
                WebOffer.theme_code == processed.theme_code, WebOffer.fingerprint == processed.fingerprint
            )
        ).first()
        data = processed.offer
        content = hashlib.sha256(f"{data.title}|{data.description}|{data.price}".encode()).hexdigest()
        now = result.fetched_at
        if offer is None:
            offer = WebOffer(
                theme_code=processed.theme_code,
                fingerprint=processed.fingerprint,
                source_system=SOURCE_SYSTEM,
                source_organisation_id=self.organisation_id,
                source_key=processed.fingerprint[:120],
                crawl_id=self.crawl_id,
                first_seen=now,
                status=OfferStatus.NEW,
                urls=[],
                platforms=[],
                import_batch_id=session.scalar(select(WebCrawl.import_batch_id).where(WebCrawl.id == self.crawl_id)),
            )
            session.add(offer)
        elif offer.last_crawl_id != self.crawl_id:
            if offer.status == OfferStatus.GONE:
                offer.status = OfferStatus.BACK
                offer.reappeared += 1
            elif offer.content_hash != content:
                offer.status = OfferStatus.CHANGED
            else:
                offer.status = OfferStatus.ACTIVE
        offer.url = data.url
        offer.urls = list(dict.fromkeys([*(offer.urls or []), data.url]))[-50:]
        offer.platform = data.platform
        offer.platforms = list(dict.fromkeys([*(offer.platforms or []), data.platform]))
        for name in ("title", "description", "currency", "sku", "mpn", "brand", "model", "availability", "category"):
            setattr(offer, name, (getattr(data, name) or "")[: _limit(name)])
        offer.price = data.price
        offer.gtin = data.gtin[:14]
        offer.image_urls = data.image_urls[:10]
        offer.seller_name = processed.seller_name[:200]
        offer.seller_type = data.seller_type
        offer.seller_pseudonym = processed.seller_pseudonym
        offer.seller_kvk = data.seller_kvk[:8]
        offer.seller_vat = data.seller_vat[:14]
        if data.seller_kvk:
            offer.legal_entity_id = session.scalar(
                select(LegalEntity.id).where(LegalEntity.kvk == data.seller_kvk).order_by(LegalEntity.id).limit(1)
            )
        offer.personal_data_removed = processed.personal_data_removed
        offer.last_seen = now
        offer.last_crawl_id = self.crawl_id
        offer.last_page_id = page.id
        offer.content_hash = content
        verdict = processed.verdict
        offer.score, offer.rule_score, offer.model_score = verdict.score, verdict.rule_score, verdict.model_score
        offer.likely_violation = verdict.likely_violation if offer.label is None else bool(offer.label)
        offer.reasons = verdict.reasons
        offer.rules_hit = verdict.rules_hit
        session.flush()
        exists = session.scalar(
            select(func.count())
            .select_from(WebObservation)
            .where(
                WebObservation.offer_id == offer.id,
                WebObservation.crawl_id == self.crawl_id,
                WebObservation.page_id == page.id,
            )
        )
        if not exists:
            session.add(
                WebObservation(
                    offer_id=offer.id,
                    crawl_id=self.crawl_id,
                    page_id=page.id,
                    seen_at=now,
                    price=data.price,
                    content_hash=content,
                )
            )


def _limit(name: str) -> int:
    return {"currency": 3, "sku": 120, "mpn": 120, "brand": 200, "model": 200, "availability": 60}.get(name, 100_000)

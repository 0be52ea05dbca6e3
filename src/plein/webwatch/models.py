"""Tables of internettoezicht: crawls, fetched pages (pointers into the evidence store), offers,
their observations per crawl, and analysts' label corrections.

Offers carry provenance like every record (which organisation crawled, in which crawl, when first
and last seen) and hold only scrubbed text; the raw pages stay in the WARC evidence store.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column

from plein.core.models import Base, BigId, Provenance, utcnow
from plein.core.vocabulary import RunStatus


class OfferStatus(StrEnum):
    """Where an offer stands after the latest crawl of its themes."""

    NEW = "nieuw"
    ACTIVE = "actief"  # seen again, unchanged
    CHANGED = "gewijzigd"
    GONE = "verdwenen"  # not seen in a completed crawl of its themes
    BACK = "terug"  # seen again after it was gone


class WebCrawl(Base):
    """One crawl run (possibly by several processes sharing Redis), resumable by its id."""

    __tablename__ = "webwatch_crawl"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    mode: Mapped[str] = mapped_column(String(20), default="lokaal")  # lokaal | gedeeld (redis)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), default=None)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WebPage(Base):
    """A fetched (or failed) page: status, content hash and where its WARC record lies."""

    __tablename__ = "webwatch_page"
    __table_args__ = (Unique("crawl_id", "url_hash", name="uq_webwatch_page_crawl_url"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    crawl_id: Mapped[str] = mapped_column(ForeignKey("webwatch_crawl.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), index=True)
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_code: Mapped[int] = mapped_column(Integer, default=0)
    content_type: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    warc_file: Mapped[str] = mapped_column(Text, default="")
    warc_offset: Mapped[int] = mapped_column(Integer, default=-1)
    problem: Mapped[str] = mapped_column(Text, default="")
    offers_found: Mapped[int] = mapped_column(Integer, default=0)


class WebOffer(Provenance, Base):
    """An offer as inspectors see it: scrubbed text, seller (company or pseudonym), score and reasons."""

    __tablename__ = "webwatch_offer"
    __table_args__ = (
        Unique("theme_code", "fingerprint", name="uq_webwatch_offer_theme_fingerprint"),
        Index("ix_webwatch_offer_theme_score", "theme_code", "score"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    theme_code: Mapped[str] = mapped_column(ForeignKey("theme.code"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    platform: Mapped[str] = mapped_column(String(200), index=True, default="")
    platforms: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), default=None)
    currency: Mapped[str] = mapped_column(String(3), default="")
    gtin: Mapped[str] = mapped_column(String(14), default="", index=True)
    sku: Mapped[str] = mapped_column(String(120), default="")
    mpn: Mapped[str] = mapped_column(String(120), default="")
    brand: Mapped[str] = mapped_column(String(200), default="")
    model: Mapped[str] = mapped_column(String(200), default="")
    availability: Mapped[str] = mapped_column(String(60), default="")
    category: Mapped[str] = mapped_column(Text, default="")
    image_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    seller_name: Mapped[str] = mapped_column(String(200), default="")
    seller_type: Mapped[str] = mapped_column(String(20), default="onbekend")
    seller_pseudonym: Mapped[str] = mapped_column(String(40), default="", index=True)
    seller_kvk: Mapped[str] = mapped_column(String(8), default="", index=True)
    seller_vat: Mapped[str] = mapped_column(String(14), default="")
    legal_entity_id: Mapped[int | None] = mapped_column(ForeignKey("legal_entity.id"), default=None)
    personal_data_removed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_crawl_id: Mapped[str] = mapped_column(String(64), default="")
    last_page_id: Mapped[int | None] = mapped_column(ForeignKey("webwatch_page.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default=OfferStatus.NEW)
    reappeared: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    rule_score: Mapped[float] = mapped_column(Float, default=0.0)
    model_score: Mapped[float | None] = mapped_column(Float, default=None)
    likely_violation: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    rules_hit: Mapped[list[str]] = mapped_column(JSON, default=list)
    label: Mapped[bool | None] = mapped_column(Boolean, default=None)


class WebObservation(Base):
    """An offer seen in one crawl on one page: the time series behind the market view and the evidence."""

    __tablename__ = "webwatch_observation"
    __table_args__ = (Unique("offer_id", "crawl_id", "page_id", name="uq_webwatch_observation"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("webwatch_offer.id", ondelete="CASCADE"), index=True)
    crawl_id: Mapped[str] = mapped_column(ForeignKey("webwatch_crawl.id"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("webwatch_page.id"))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), default=None)
    content_hash: Mapped[str] = mapped_column(String(64), default="")


class WebLabel(Base):
    """An analyst's correction of an offer's label; kept for retraining and as an audit trail."""

    __tablename__ = "webwatch_label"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("webwatch_offer.id", ondelete="CASCADE"), index=True, default=None
    )
    theme_code: Mapped[str] = mapped_column(String(40), index=True)
    label: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text, default="")
    analyst: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

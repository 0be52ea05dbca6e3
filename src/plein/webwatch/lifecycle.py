"""A crawl's lifecycle: started (or resumed, or joined), then finished, closing what it did not see."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plein.core.models import ImportBatch, Organisation, Theme, utcnow
from plein.core.vocabulary import BatchKind, RunStatus
from plein.errors import ValidationError
from plein.store.engine import session_factory
from plein.webwatch.models import OfferStatus, WebCrawl, WebObservation, WebOffer, WebPage
from plein.webwatch.themes import WebTheme
from plein.webwatch.writes import SOURCE_SYSTEM

DEFAULT_ORGANISATION = ("ILT", "Inspectie Leefomgeving en Transport")


def crawl_organisation(session: Session, code: str) -> Organisation:
    """The organisation on whose behalf a crawl runs; ILT is created when the database has none yet."""
    organisation = session.scalars(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        if code != DEFAULT_ORGANISATION[0]:
            raise ValidationError(f"Organisatie {code!r} bestaat niet; kies een bestaande organisatiecode.")
        organisation = Organisation(
            code=code, name=DEFAULT_ORGANISATION[1], kind="rijksinspectie", legal_domain="bestuursrecht"
        )
        session.add(organisation)
        session.flush()
    return organisation


def ensure_themes(session: Session, themes: list[WebTheme]) -> None:
    """Theme rows for the webwatch themes, so offers can point at them like records do."""
    for theme in themes:
        if session.get(Theme, theme.code) is None:
            session.add(Theme(code=theme.code, name=theme.name, description=theme.description))
    session.flush()


def start_crawl(
    engine: Engine,
    themes: list[WebTheme],
    start_urls: list[str],
    *,
    crawl_id: str | None = None,
    mode: str = "lokaal",
    organisation_code: str = "ILT",
) -> tuple[str, int]:
    """Create a crawl (or pick up an existing one to resume or share it); returns (crawl id, organisation id).

    Several processes of one shared crawl may start at once: whoever loses the race to insert the
    organisation, a theme or the crawl itself simply tries again and joins.
    """
    for _attempt in range(4):
        try:
            return _start_crawl(engine, themes, start_urls, crawl_id, mode, organisation_code)
        except IntegrityError:
            continue
    return _start_crawl(engine, themes, start_urls, crawl_id, mode, organisation_code)


def _start_crawl(
    engine: Engine,
    themes: list[WebTheme],
    start_urls: list[str],
    crawl_id: str | None,
    mode: str,
    organisation_code: str,
) -> tuple[str, int]:
    with session_factory(engine)() as session:
        organisation = crawl_organisation(session, organisation_code)
        ensure_themes(session, themes)
        crawl = session.get(WebCrawl, crawl_id) if crawl_id else None
        if crawl is None:
            batch = ImportBatch(
                organisation_id=organisation.id,
                source_system=SOURCE_SYSTEM,
                kind=BatchKind.CRAWL,
                description=f"Crawl {', '.join(t.code for t in themes)}",
            )
            session.add(batch)
            session.flush()
            crawl = WebCrawl(
                id=crawl_id or f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}",
                themes=[t.code for t in themes],
                start_urls=start_urls,
                mode=mode,
                organisation_id=organisation.id,
                import_batch_id=batch.id,
            )
            session.add(crawl)
        else:
            crawl.status = RunStatus.RUNNING
        session.commit()
        return crawl.id, organisation.id


def finish_crawl(engine: Engine, crawl_id: str, status: RunStatus, stats: dict[str, Any]) -> dict[str, int]:
    """Close the crawl: offers of its themes not seen in it are marked 'verdwenen'; returns counts."""
    with session_factory(engine)() as session:
        crawl = session.get(WebCrawl, crawl_id)
        if crawl is None:
            raise ValidationError(f"Crawl {crawl_id} bestaat niet.")
        crawl.status = status
        crawl.finished_at = utcnow()
        crawl.stats = {**(crawl.stats or {}), **stats}
        if status == RunStatus.DONE:
            session.execute(
                update(WebOffer)
                .where(
                    WebOffer.theme_code.in_(crawl.themes),
                    WebOffer.last_crawl_id != crawl_id,
                    WebOffer.status != OfferStatus.GONE,
                    WebOffer.source_organisation_id == crawl.organisation_id,
                )
                .values(status=OfferStatus.GONE)
            )
        pages = session.scalar(select(func.count()).select_from(WebPage).where(WebPage.crawl_id == crawl_id)) or 0
        offers = (
            session.scalar(
                select(func.count(func.distinct(WebObservation.offer_id))).where(WebObservation.crawl_id == crawl_id)
            )
            or 0
        )
        problems = (
            session.scalar(
                select(func.count()).select_from(WebPage).where(WebPage.crawl_id == crawl_id, WebPage.problem != "")
            )
            or 0
        )
        crawl.stats = {**crawl.stats, "pagina's": pages, "aanbiedingen": offers, "problemen": problems}
        batch = session.get(ImportBatch, crawl.import_batch_id) if crawl.import_batch_id else None
        if batch is not None:
            batch.finished_at = crawl.finished_at
            batch.status = status
            batch.rows_in = pages
            batch.rows_stored = offers
        session.commit()
        return {"pagina's": pages, "aanbiedingen": offers, "problemen": problems}

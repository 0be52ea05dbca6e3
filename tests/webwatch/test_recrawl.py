"""Re-crawls: new, unchanged, changed, disappeared and returned offers, and one offer across sites."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.core.vocabulary import RunStatus
from plein.webwatch.extract import ExtractedOffer
from plein.webwatch.models import WebOffer, WebPage
from plein.webwatch.process import process_offer
from plein.webwatch.scrub import default_scrubber
from plein.webwatch.service import CrawlStore, PageResult, finish_crawl, start_crawl
from plein.webwatch.themes import get_theme


def _offer(url: str, title: str, price: str, kvk: str = "12345678") -> ExtractedOffer:
    return ExtractedOffer(
        url=url,
        title=title,
        description="Navulbare cilinder, alleen voor STEK-installateurs.",
        price=Decimal(price),
        currency="EUR",
        gtin="",
        seller="Koel B.V.",
        seller_type="bedrijf",
        seller_kvk=kvk,
        platform=url.split("/")[2],
    )


def _crawl(engine: Engine, offers: list[ExtractedOffer]) -> str:
    theme = get_theme("f-gassen")
    crawl_id, organisation_id = start_crawl(engine, [theme], ["https://a.example/"])
    store = CrawlStore(engine, crawl_id, organisation_id)
    for offer in offers:
        processed = process_offer(offer, [theme], default_scrubber(), "sleutel")
        store.record_page(PageResult(offer.url, 200, "text/html", None, "", processed, dt.datetime.now(dt.UTC)))
    finish_crawl(engine, crawl_id, RunStatus.DONE, {})
    return crawl_id


def _status(engine: Engine) -> dict[str, tuple[str, int]]:
    with Session(engine) as session:
        return {o.title: (o.status, o.reappeared) for o in session.scalars(select(WebOffer))}


def test_offer_lifecycle_over_crawls(engine: Engine) -> None:
    first = [
        _offer("https://a.example/p/1", "R32 fles 9 kg", "150"),
        _offer("https://a.example/p/2", "R410A 10 kg", "170"),
    ]
    _crawl(engine, first)
    assert _status(engine) == {"R32 fles 9 kg": ("nieuw", 0), "R410A 10 kg": ("nieuw", 0)}
    _crawl(engine, [_offer("https://a.example/p/1", "R32 fles 9 kg", "150")])
    assert _status(engine) == {"R32 fles 9 kg": ("actief", 0), "R410A 10 kg": ("verdwenen", 0)}
    # Re-listed under a new address on another site with a new price: the same offer, returned and changed.
    _crawl(
        engine,
        [
            _offer("https://a.example/p/1", "R32 fles 9 kg", "140"),
            _offer("https://b.example/item/9", "R410A 10 kg", "170"),
        ],
    )
    assert _status(engine) == {"R32 fles 9 kg": ("gewijzigd", 0), "R410A 10 kg": ("terug", 1)}
    with Session(engine) as session:
        returned = session.scalars(select(WebOffer).where(WebOffer.title == "R410A 10 kg")).one()
        assert returned.urls == ["https://a.example/p/2", "https://b.example/item/9"]
        assert returned.platforms == ["a.example", "b.example"]
        assert session.scalar(select(WebPage.id).limit(1)) is not None


def test_offers_of_other_sellers_stay_apart(engine: Engine) -> None:
    _crawl(
        engine,
        [
            _offer("https://a.example/p/1", "R32 fles 9 kg", "150", kvk="12345678"),
            _offer("https://a.example/p/3", "R32 fles 9 kg", "150", kvk="87654321"),
        ],
    )
    with Session(engine) as session:
        assert len(list(session.scalars(select(WebOffer)))) == 2

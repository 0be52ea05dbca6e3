"""Keep a crawler of a shared (Redis) frontier alive while its peers may still add pages."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from plein.webwatch.crawl.settings import CrawlConfig


class SharedFrontierIdle:
    """With a shared frontier, an idle process waits ``idle_seconds`` before closing: another process
    may be fetching a page whose links it will push onto the shared queue."""

    def __init__(self, crawler: Crawler) -> None:
        config = CrawlConfig.from_settings(crawler.settings)
        self.enabled = bool(config.redis_url)
        self.idle_seconds = config.idle_seconds
        self.idle_since: float | None = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontierIdle:
        return cls(crawler)

    def response_received(self, **_: Any) -> None:
        self.idle_since = None

    def spider_idle(self, **_: Any) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_seconds:
            raise DontCloseSpider


class RedirectLoopRecorder:
    """A redirect back to a page already seen is dropped by the duplicate filter without a trace;
    record it as a problem page, so a redirect loop shows up in the crawl like any bad page."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopRecorder:
        return cls(crawler)

    def request_dropped(self, request: Any, **_: Any) -> None:
        chain = request.meta.get("redirect_urls") or []
        if not chain:
            return
        from plein.webwatch.crawl.pipelines import context_for
        from plein.webwatch.writes import PageResult

        route = " → ".join([*chain, request.url])
        context_for(self.crawler).store.record_page(
            PageResult(
                url=chain[0],
                status=0,
                content_type="",
                stored=None,
                problem=f"omleidingslus: {route}"[:2000],
                offers=[],
                fetched_at=dt.datetime.now(dt.UTC),
            )
        )
        self.crawler.stats.inc_value("plein/redirect_loops")

"""Downloader middlewares: robots.txt with Crawl-delay, and replay of already-fetched pages on resume."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.http.headers import Headers
from scrapy.robotstxt import RobotParser

from plein.webwatch.evidence import read_page


class PoliteRobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt check, plus what Scrapy leaves out: the Crawl-delay.

    Every site (host and port) gets its own download slot; when its robots.txt names a Crawl-delay
    for our User-Agent, the slot waits at least that long between requests, without random jitter
    and without AutoThrottle lowering it.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._floors: dict[str, float] = {}
        # Connected after AutoThrottle (extensions exist before the downloader's middlewares), so this
        # runs after it has adjusted a slot and puts the Crawl-delay back if it went lower.
        crawler.signals.connect(self._keep_floor, signal=signals.response_downloaded)

    def _keep_floor(self, response: Response, request: Request, spider: Any = None) -> None:
        key = str(request.meta.get("download_slot", ""))
        floor = self._floors.get(key)
        if floor is None or self.crawler.engine is None:
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None and slot.delay < floor:
            slot.delay = floor

    async def process_request(self, request: Request, spider: Any = None) -> None:
        request.meta.setdefault("download_slot", urlsplit(request.url).netloc)
        await super().process_request(request)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        super().process_request_2(rp, request)
        protego = getattr(rp, "rp", None)
        if protego is None or not hasattr(protego, "crawl_delay"):
            return
        agent = self._robotstxt_useragent or self._default_useragent
        delay = protego.crawl_delay(agent)
        if not delay:
            return
        assert self.crawler.engine is not None
        downloader = self.crawler.engine.downloader
        _, slot = downloader._get_slot(request)
        self._floors[request.meta["download_slot"]] = float(delay)
        if slot.delay < float(delay):
            slot.delay = float(delay)
        slot.jitter = 0.0
        request.meta["autothrottle_dont_adjust_delay"] = True
        self.crawler.stats.set_value(f"plein/crawl_delay/{request.meta['download_slot']}", float(delay))


class EvidenceReplayMiddleware:
    """On a resumed crawl, a page fetched before is served from the evidence store, not the web.

    Its links are still followed, so the crawl continues where it stopped without fetching any
    page twice.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._store: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidenceReplayMiddleware:
        return cls(crawler)

    def _crawl_store(self) -> Any:
        if self._store is None:
            from plein.webwatch.crawl.pipelines import crawl_store_for

            self._store = crawl_store_for(self.crawler)
        return self._store

    def process_request(self, request: Request, spider: Any = None) -> Response | None:
        if request.meta.get("dont_obey_robotstxt") or request.url.endswith("/robots.txt"):
            return None
        page = self._crawl_store().fetched(request.url)
        if page is None or page.status_code != 200:
            return None
        stored = read_page(self._crawl_store().evidence_root, page.warc_file, page.warc_offset)
        request.meta["plein_replayed"] = page.id
        self.crawler.stats.inc_value("plein/replayed")
        headers = Headers({k: v for k, v in stored.headers if k.lower() in ("content-type",)})
        return HtmlResponse(
            url=request.url, status=stored.status, headers=headers, body=stored.body, request=request, flags=["bewijs"]
        )

"""Run one crawl in this process: register it, let Scrapy work, close it with its counts.

Called by ``plein webwatch crawl``; the Twisted reactor can start only once per process, so call it
once per process (tests and benchmarks start the CLI as a subprocess).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plein.core.vocabulary import RunStatus
from plein.errors import ValidationError
from plein.runtime import ready_engine
from plein.settings import Settings, get_settings
from plein.webwatch.crawl.settings import CrawlConfig, scrapy_settings
from plein.webwatch.evidence import default_evidence_root
from plein.webwatch.lifecycle import finish_crawl, start_crawl
from plein.webwatch.themes import WebTheme, get_theme

DEMO_SITES_FILE = Path("demo") / "webshops" / "sites.json"


def demo_start_urls(themes: list[WebTheme], settings: Settings | None = None) -> list[str]:
    """Home and one search page per theme on each running demo webshop (``plein demo webshops``)."""
    path = (settings or get_settings()).var_dir / DEMO_SITES_FILE
    if not path.is_file():
        raise ValidationError("Er draaien geen demowebwinkels; start ze met `plein demo webshops`.")
    sites: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["sites"]
    urls = []
    for base in sites.values():
        urls.append(base.rstrip("/") + "/")
        urls.extend(f"{base.rstrip('/')}/zoeken?q={t.search_terms[0]}" for t in themes if t.search_terms)
    return urls


def theme_start_urls(themes: list[WebTheme]) -> list[str]:
    """Start URLs from the themes' own sources (``url`` and an optional ``search`` template)."""
    urls: list[str] = []
    for theme in themes:
        for source in theme.sources:
            if source.get("url"):
                urls.append(source["url"])
            if source.get("search"):
                urls.extend(source["search"].format(term=term) for term in theme.search_terms)
    return list(dict.fromkeys(urls))


def run_crawl(
    theme_codes: list[str],
    start_urls: list[str],
    *,
    crawl_id: str | None = None,
    redis_url: str = "",
    redis_prefix: str = "",
    organisation: str = "ILT",
    delay: float = 1.0,
    max_pagination: int = 50,
    max_pages_per_site: int = 2000,
    log_level: str = "WARNING",
    idle_seconds: float = 6.0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Crawl ``start_urls`` for the themes; returns the crawl id, how it ended and its counts.

    ``progress`` is called twice a second, and once at the end, with the pages fetched and offers found."""
    from scrapy.crawler import CrawlerProcess

    from plein.webwatch.crawl.spider import OfferSpider

    if not theme_codes:
        raise ValidationError("Noem ten minste één thema.")
    themes = [get_theme(code) for code in theme_codes]
    if not start_urls:
        raise ValidationError("Geen startadressen: geef --start-url, --demo, of bronnen in het thema.")
    for url in start_urls:
        if not url.startswith(("http://", "https://")):
            raise ValidationError(f"Startadres {url!r} is geen http(s)-adres.")
    settings = get_settings()
    engine = ready_engine(settings)
    crawl_id, organisation_id = start_crawl(
        engine,
        themes,
        start_urls,
        crawl_id=crawl_id,
        mode="gedeeld" if redis_url else "lokaal",
        organisation_code=organisation,
    )
    config = CrawlConfig(
        crawl_id=crawl_id,
        organisation_id=organisation_id,
        themes=[t.code for t in themes],
        database_url=engine.url.render_as_string(hide_password=False),
        evidence_root=str(default_evidence_root(settings).resolve()),
        secret_key=settings.resolved_secret_key(),
        start_urls=start_urls,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        delay=delay,
        max_pagination=max_pagination,
        max_pages_per_site=max_pages_per_site,
        log_level=log_level,
        idle_seconds=idle_seconds,
    )
    logging.getLogger("scrapy").setLevel(log_level)
    process = CrawlerProcess(settings={**scrapy_settings(config), "LOG_INSTALL_ROOT_HANDLER": log_level != "WARNING"})
    crawler = process.create_crawler(OfferSpider)
    process.crawl(crawler, start_urls=start_urls, max_pagination=max_pagination, max_pages_per_site=max_pages_per_site)

    def report() -> None:
        if progress is not None:
            now = crawler.stats.get_stats() if crawler.stats else {}
            progress(int(now.get("plein/pages", 0)), int(now.get("plein/offers", 0)))

    if progress is not None:
        from twisted.internet import task

        task.LoopingCall(report).start(0.5, now=False)  # ends with the reactor
    process.start()
    report()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = str(stats.get("finish_reason", "onbekend"))
    status = (
        RunStatus.DONE
        if reason == "finished"
        else (RunStatus.INTERRUPTED if reason == "shutdown" else RunStatus.FAILED)
    )
    summary = {
        "verzoeken": int(stats.get("downloader/request_count", 0)),
        "uit_bewijs": int(stats.get("plein/replayed", 0)),
        "robots_geweigerd": int(stats.get("robotstxt/forbidden", 0)),
        "reden": reason,
    }
    counts = finish_crawl(engine, crawl_id, status, summary)
    engine.dispose()
    return {"crawl": crawl_id, "status": status, **summary, **counts}

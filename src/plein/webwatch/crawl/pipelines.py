"""Item pipelines, one stage each: evidence (WARC + hash) → extract → scrub & classify → store.

Every page item passes every stage; a stage that fails on a bad page records the problem on the
item and lets it go on, so one odd page never stops a crawl.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from plein.store.engine import create_engine_for
from plein.webwatch.crawl.settings import CrawlConfig
from plein.webwatch.evidence import EvidenceWriter, StoredPage
from plein.webwatch.extract import extract_page
from plein.webwatch.process import process_offer
from plein.webwatch.scrub import default_scrubber
from plein.webwatch.themes import load_themes
from plein.webwatch.training import load_models
from plein.webwatch.writes import CrawlStore, PageResult


class CrawlContext:
    """What all stages of one crawler process share: config, store, evidence writer, themes, models."""

    def __init__(self, config: CrawlConfig) -> None:
        self.config = config
        self.engine = create_engine_for(config.database_url)
        self.store = CrawlStore(self.engine, config.crawl_id, config.organisation_id, Path(config.evidence_root))
        self.evidence = EvidenceWriter(Path(config.evidence_root), config.crawl_id)
        themes = load_themes()
        self.themes = [themes[code] for code in config.themes]
        self.models = load_models(config.themes)
        self.scrubber = default_scrubber()


_CONTEXTS: dict[int, CrawlContext] = {}


def context_for(crawler: Crawler) -> CrawlContext:
    key = id(crawler)
    if key not in _CONTEXTS:
        _CONTEXTS[key] = CrawlContext(CrawlConfig.from_settings(crawler.settings))
    return _CONTEXTS[key]


def crawl_store_for(crawler: Crawler) -> CrawlStore:
    return context_for(crawler).store


class _Stage:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.context = context_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)


class EvidencePipeline(_Stage):
    """Keep the page as fetched, with its SHA-256, before anything else looks at it."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if item.get("replayed"):
            page = self.context.store.fetched(item["url"])
            if page is not None:
                item["stored"] = StoredPage(page.warc_file, page.warc_offset, page.content_hash, page.size)
            return item
        if item.get("status") or item.get("body"):
            item["stored"] = self.context.evidence.write(
                item["url"], item["status"] or 0, item["headers"], item["body"], item["fetched_at"]
            )
        return item


class ExtractPipeline(_Stage):
    """Offers on the page (structured data first, then heuristics)."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        item["extracted"] = []
        if item.get("status") != 200 or not item.get("body"):
            return item
        try:
            result = extract_page(item["body"], item["url"], item.get("content_type", ""))
        except Exception as exc:
            item["problems"].append(f"extractie mislukt: {type(exc).__name__}")
            return item
        item["problems"].extend(result.problems)
        item["extracted"] = result.offers
        return item


class OfferPipeline(_Stage):
    """Scrub personal data, pseudonymise private sellers, assign themes and classify."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        processed = []
        for offer in item.get("extracted", []):
            processed.extend(
                process_offer(
                    offer,
                    self.context.themes,
                    self.context.scrubber,
                    self.context.config.secret_key,
                    self.context.models,
                )
            )
        item["processed"] = processed
        self.crawler.stats.inc_value("plein/offers", len(processed))
        return item


class StorePipeline(_Stage):
    """Store page and offers in one transaction; drop the body so memory stays flat."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        self.context.store.record_page(
            PageResult(
                url=item["url"],
                status=item.get("status") or 0,
                content_type=item.get("content_type", ""),
                stored=item.get("stored"),
                problem="; ".join(dict.fromkeys(item.get("problems", [])))[:2000],
                offers=item.get("processed", []),
                fetched_at=item["fetched_at"],
            )
        )
        self.crawler.stats.inc_value("plein/pages")
        return {"url": item["url"], "status": item.get("status"), "offers": len(item.get("processed", []))}

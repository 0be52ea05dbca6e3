"""Internettoezicht: pages/s end to end against a bare Scrapy spider on the same demo pages, and
scrubbing throughput and recall against vanilla Presidio (default recognizers) on the same texts.

Size: ``PLEIN_BENCH_WEBWATCH_SCALE`` (offers per demo site ×, default 3). Both crawls run as
subprocesses (Scrapy's reactor starts once per process) against the same demo webshops, with the
same politeness settings and no Crawl-delay, so the difference is what plein does per page:
evidence (WARC + SHA-256), extraction, scrubbing, classification and storage.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

THEMES = ["f-gassen", "e-steps", "helmen", "vloeistofdichte-vloeren"]
BARE_SPIDER = """
import scrapy
from urllib.parse import urlsplit
from scrapy.linkextractors import LinkExtractor


class Bare(scrapy.Spider):
    name = "bare"
    custom_settings = {"ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 0,
                       "AUTOTHROTTLE_ENABLED": True, "AUTOTHROTTLE_START_DELAY": 0,
                       "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0, "DOWNLOAD_MAXSIZE": 5_000_000,
                       "REDIRECT_MAX_TIMES": 5, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False}

    def __init__(self, start="", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = start.split(",")
        self.hosts = {urlsplit(u).netloc for u in self.start_urls}
        self.links = LinkExtractor(unique=True)
        self.pages = 0

    def parse(self, response):
        self.pages += 1
        if hasattr(response, "text") and b"html" in (response.headers.get("Content-Type") or b"html").lower():
            for link in self.links.extract_links(response):
                if urlsplit(link.url).netloc in self.hosts and "eindeloos" not in link.url:
                    yield response.follow(link.url, callback=self.parse)

    def closed(self, reason):
        print("PAGES", self.pages)
"""

Report = Callable[[str, float, str, float | None, str], None]


def _start_urls(sites: dict[str, str]) -> list[str]:
    from plein.webwatch.themes import get_theme

    urls = []
    for base in sites.values():
        urls.append(base + "/")
        urls.extend(f"{base}/zoeken?q={get_theme(t).search_terms[0]}" for t in THEMES)
    return urls


def _plein_crawl(urls: list[str], directory: Path) -> tuple[float, int]:
    from plein.store.engine import create_engine_for
    from plein.store.migrate import upgrade

    url = f"sqlite:///{directory / 'bench.db'}"
    engine = create_engine_for(url)
    upgrade(engine)
    engine.dispose()
    env = {
        **os.environ,
        "PLEIN_DATABASE_URL": url,
        "PLEIN_VAR_DIR": str(directory / "var"),
        "PLEIN_SECRET_KEY": "bench-sleutel",
    }
    args = [sys.executable, "-m", "plein", "webwatch", "crawl", *THEMES, "--delay", "0", "--max-pagination", "20"]
    for start in urls:
        args += ["--start-url", start]
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, timeout=600)
    elapsed = time.perf_counter() - started
    result = json.loads(done.stdout[done.stdout.index("{") :])
    return elapsed, int(result["pagina's"])


def _bare_crawl(urls: list[str], directory: Path) -> tuple[float, int]:
    spider = directory / "bare_spider.py"
    spider.write_text(BARE_SPIDER, encoding="utf-8")
    args = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", "start=" + ",".join(urls)]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True, timeout=600, cwd=directory)
    elapsed = time.perf_counter() - started
    match = re.search(r"PAGES (\d+)", done.stdout)
    return elapsed, int(match.group(1)) if match else 0


def _scrub_texts(scale: int) -> tuple[list[str], list[list[str]]]:
    from plein.demo.webshops.catalog import build_catalog

    ads = [o for o in build_catalog(seed=11, scale=scale * 4) if o.personal_data]
    return [o.description for o in ads], [o.personal_data for o in ads]


def _recall(scrubbed: list[str], planted: list[list[str]]) -> float:
    total = sum(len(p) for p in planted)
    removed = sum(1 for text, items in zip(scrubbed, planted, strict=True) for item in items if item not in text)
    return removed / total if total else 1.0


def _vanilla_presidio() -> Callable[[str], str]:
    """Presidio as shipped: the default registry of recognizers; the NLP engine on a blank English spaCy
    pipeline because no model can be downloaded here (its NER-based PERSON recognizer therefore finds
    nothing; the pattern recognizers work as usual)."""
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_anonymizer import AnonymizerEngine

    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank-en"}])
    engine.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def scrub(text: str) -> str:
        return anonymizer.anonymize(text=text, analyzer_results=analyzer.analyze(text=text, language="en")).text  # type: ignore[arg-type]

    return scrub


def run(report: Report) -> None:
    from plein.demo.webshops import start_webshops
    from plein.webwatch.scrub import default_scrubber

    scale = int(os.environ.get("PLEIN_BENCH_WEBWATCH_SCALE", "3"))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        shops = start_webshops(seed=5, scale=scale, crawl_delay=0.0)
        try:
            urls = _start_urls(shops.sites)
            bare_time, bare_pages = _bare_crawl(urls, directory)
            plein_time, plein_pages = _plein_crawl(urls, directory)
        finally:
            shops.stop()
    report(
        "webwatch: pagina's/s end to end (crawl+bewijs+extractie+schonen+classificatie+opslag)",
        plein_pages / plein_time,
        "pagina's/s",
        bare_pages / bare_time,
        f"kale Scrapy-spider, {bare_pages} pagina's",
    )

    texts, planted = _scrub_texts(scale)
    scrubber = default_scrubber()
    scrubber.scrub(texts[0])
    started = time.perf_counter()
    ours = [scrubber.scrub(text).text for text in texts]
    ours_time = time.perf_counter() - started
    vanilla = _vanilla_presidio()
    vanilla(texts[0])
    started = time.perf_counter()
    theirs = [vanilla(text) for text in texts]
    theirs_time = time.perf_counter() - started
    report(
        f"webwatch: schonen, teksten/s ({len(texts)} advertenties)",
        len(texts) / ours_time,
        "teksten/s",
        len(texts) / theirs_time,
        "Presidio standaardherkenners",
    )
    report(
        "webwatch: schonen, recall geplante persoonsgegevens",
        _recall(ours, planted) * 100,
        "%",
        _recall(theirs, planted) * 100,
        "Presidio standaardherkenners",
    )

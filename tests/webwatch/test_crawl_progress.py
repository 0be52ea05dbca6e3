"""`plein webwatch crawl` shows a progress line (pages fetched, offers, rate) on standard error, the JSON
result staying alone on standard output."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plein.cli.webwatch import crawl_line
from plein.demo.webshops import Webshops
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade
from plein.webwatch.models import WebPage
from tests.databases import fresh_database
from tests.webwatch.conftest import crawl_args, crawl_env, start_urls


def test_the_line_in_dutch() -> None:
    assert crawl_line(120, 1, 90.0) == "120 pagina's opgehaald · 1 aanbieding · 80 per minuut · bezig sinds 1 min 30 s"
    assert crawl_line(0, 0, 0.0) == "0 pagina's opgehaald · 0 aanbiedingen · bezig sinds 0 s"


def test_the_crawl_command_shows_pages_offers_and_rate(webshops: Webshops, tmp_path: Path) -> None:
    site = next(iter(webshops.sites))
    with fresh_database("sqlite", tmp_path) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        args = crawl_args(
            ["f-gassen"], start_urls(webshops, [site], ["f-gassen"]), "--delay", "0", "--max-pagination", "2"
        )
        done = subprocess.run(
            args, env=crawl_env(url, tmp_path / "var"), capture_output=True, text=True, timeout=240, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout)  # nothing but the result on standard output
        with Session(engine) as session:
            pages = session.scalar(select(func.count()).select_from(WebPage).where(WebPage.crawl_id == result["crawl"]))
        engine.dispose()
    last = re.findall(r"Crawl ([\d.]+) pagina's opgehaald · (\d+) aanbieding(?:en)? · [\d.]+ per minuut", done.stderr)
    assert last, done.stderr[-2000:]
    fetched, offers = (int(n.replace(".", "")) for n in last[-1])
    assert fetched == pages and pages > 0 and offers > 0

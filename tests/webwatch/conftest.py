"""Fixtures for crawl tests: demo webshops served in this process, crawls run as subprocesses.

Scrapy's reactor starts once per process, so every crawl is ``python -m plein webwatch crawl`` in a
child process against the shops on 127.0.0.1; the shops' request log shows what the crawler did.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plein.demo.webshops import Webshops, start_webshops

SECRET = "test-geheim-webwatch"
ALL_THEMES = ["f-gassen", "e-steps", "helmen", "vloeistofdichte-vloeren"]


def crawl_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEIN_") or k.startswith("PLEIN_TEST_")}
    env.update({"PLEIN_DATABASE_URL": database_url, "PLEIN_VAR_DIR": str(var_dir), "PLEIN_SECRET_KEY": SECRET})
    return env


def start_urls(shops: Webshops, sites: list[str] | None = None, themes: list[str] | None = None) -> list[str]:
    """Home page and one search page per theme on each site, like ``--demo`` does."""
    from plein.webwatch.themes import get_theme

    urls: list[str] = []
    for name, base in shops.sites.items():
        if sites and name not in sites:
            continue
        urls.append(base + "/")
        urls.extend(f"{base}/zoeken?q={get_theme(t).search_terms[0]}" for t in themes or ALL_THEMES)
    return urls


def crawl_args(themes: list[str], urls: list[str], *extra: str) -> list[str]:
    args = [sys.executable, "-m", "plein", "webwatch", "crawl", *themes]
    for url in urls:
        args += ["--start-url", url]
    return [*args, *extra]


def run_crawl(database_url: str, var_dir: Path, args: list[str], timeout: float = 240) -> dict[str, Any]:
    done = subprocess.run(
        args, env=crawl_env(database_url, var_dir), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout[done.stdout.index("{") :])


@pytest.fixture(scope="session")
def lexicon_cached() -> None:
    """Build the name lexicon's cache once, before any crawl process starts: on a new machine the
    first build takes minutes, and crawls started side by side must start up alike (a shared crawl
    test expects both processes to find work in the queue)."""
    from plein.webwatch.lexicon import load_lexicon

    load_lexicon()


@pytest.fixture(scope="module")
def webshops(lexicon_cached: None) -> Iterator[Webshops]:
    shops = start_webshops(seed=3, scale=2, crawl_delay=0.5)
    yield shops
    shops.stop()

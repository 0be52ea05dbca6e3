"""A crawl killed midway resumes without refetching; two processes sharing Redis fetch each page once."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.core.vocabulary import RunStatus
from plein.demo.webshops import Webshops
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade
from plein.webwatch.models import WebCrawl, WebOffer, WebPage
from tests.webwatch.conftest import crawl_args, crawl_env, run_crawl, start_urls

# Kills a crawl at a moment in time and shares Redis between processes: alone, not beside other tests.
pytestmark = [pytest.mark.slow, pytest.mark.serial]

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def migrated(database_url: str) -> Iterator[str]:
    engine = create_engine_for(database_url)
    upgrade(engine)
    engine.dispose()
    yield database_url


def _paths_fetched_ok(shops: Webshops, start: int, site: str) -> Counter[str]:
    return Counter(e.path for e in shops.log[start:] if e.site == site and e.status == 200 and e.path != "/robots.txt")


def _found_urls(database_url: str) -> set[str]:
    engine = create_engine_for(database_url)
    with Session(engine) as session:
        urls = {url for offer in session.scalars(select(WebOffer)) for url in offer.urls}
    engine.dispose()
    return urls


def test_killed_crawl_resumes_without_refetching(migrated: str, webshops: Webshops, tmp_path: Path) -> None:
    crawl_id = f"hervat-{uuid.uuid4().hex[:8]}"
    args = crawl_args(
        ["e-steps", "helmen"],
        start_urls(webshops, ["stepwinkel"], ["e-steps", "helmen"]),
        "--crawl-id",
        crawl_id,
        "--delay",
        "0.1",
    )
    start = len(webshops.log)
    process = subprocess.Popen(
        args, env=crawl_env(migrated, tmp_path / "var"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 90
    while len(_paths_fetched_ok(webshops, start, "stepwinkel")) < 25 and time.monotonic() < deadline:
        time.sleep(0.1)
    process.kill()  # SIGKILL: no chance to clean up
    process.wait(timeout=30)
    engine = create_engine_for(migrated)
    with Session(engine) as session:
        crawl = session.get(WebCrawl, crawl_id)
        assert crawl is not None and crawl.status == "bezig"
        kept = {p.url for p in session.scalars(select(WebPage).where(WebPage.crawl_id == crawl_id))}
    first_run = _paths_fetched_ok(webshops, start, "stepwinkel")
    assert 20 <= len(kept) < 60, "killed midway"

    second_start = len(webshops.log)
    result = run_crawl(migrated, tmp_path / "var", args)
    assert result["status"] == RunStatus.DONE and result["uit_bewijs"] >= len(kept) - 5
    refetched = _paths_fetched_ok(webshops, second_start, "stepwinkel")
    base = webshops.sites["stepwinkel"]
    assert not [path for path in refetched if base + path in kept], "a page kept before the kill was fetched again"
    total = first_run + refetched
    assert all(count == 1 for path, count in total.items() if base + path in kept)
    expected = {o.path for o in webshops.offers if o.site == "stepwinkel"}
    assert {base + p for p in expected} <= _found_urls(migrated)
    with Session(engine) as session:
        assert session.get(WebCrawl, crawl_id).status == RunStatus.DONE  # type: ignore[union-attr]
    engine.dispose()


def test_two_processes_sharing_redis_fetch_each_page_once(migrated: str, webshops: Webshops, tmp_path: Path) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"plein-test:{uuid.uuid4().hex}"
    crawl_id = f"gedeeld-{uuid.uuid4().hex[:8]}"
    sites = ["stepwinkel", "koelshop"]
    args = crawl_args(
        ["e-steps", "helmen", "f-gassen", "vloeistofdichte-vloeren"],
        start_urls(webshops, sites),
        "--crawl-id",
        crawl_id,
        "--redis",
        REDIS_URL,
        "--redis-prefix",
        prefix,
        # Long enough that neither process can finish the crawl alone before the other's engine asks the
        # shared queue for work (an idle Scrapy engine looks again every five seconds): at 0.02 s a
        # request, one process fetched all 138 pages in about three seconds and the other none.
        "--delay",
        "0.25",
        "--idle-wait",
        "6",
    )
    start = len(webshops.log)
    env = crawl_env(migrated, tmp_path / "var")
    try:
        processes = [
            subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
        ]
        outputs = [p.communicate(timeout=240) for p in processes]
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()
    results = []
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-1200:]
        results.append(json.loads(stdout[stdout.index("{") :]))
    assert all(r["verzoeken"] > 5 for r in results), results  # both did real work
    for site in sites:
        fetched = _paths_fetched_ok(webshops, start, site)
        assert fetched and max(fetched.values()) == 1, [p for p, n in fetched.items() if n > 1]
    expected = {webshops.sites[o.site] + o.path for o in webshops.offers if o.site in sites}
    assert expected <= _found_urls(migrated)

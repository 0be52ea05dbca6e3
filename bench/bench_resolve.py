"""Entity resolution: FEBRL4 (5,000 × 5,000 person records) with plein's model beside a plain Splink
model in the same run, and a full ``plein resolve`` on a demo world.

The demo world's size comes from ``PLEIN_BENCH_RESOLVE_SIZE`` (default ``medium``: 50,000
establishments, 250,000 records; ``large`` is 1,000,000 establishments and needs far more than the
five minutes a benchmark may take on two cores). ``PLEIN_BENCH_RESOLVE_URL`` resolves an already seeded
world in place instead, scored against the ground truth in ``PLEIN_BENCH_RESOLVE_TRUTH``; the FEBRL4
figures are skipped then unless ``PLEIN_BENCH_RESOLVE_FEBRL=1``.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from plein.resolve.evaluate import evaluate
from plein.resolve.febrl import run_febrl
from plein.resolve.service import run_resolution
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade


def run(report: Callable[..., None]) -> None:
    if not os.environ.get("PLEIN_BENCH_RESOLVE_URL") or os.environ.get("PLEIN_BENCH_RESOLVE_FEBRL") == "1":
        plain = run_febrl(plain=True)
        ours = run_febrl()
        report("FEBRL4 F1", ours.f1, "F1", plain.f1, "plain Splink model (exact levels, threshold 0.5)")
        report("FEBRL4 time", ours.seconds, "s", plain.seconds, "plain Splink model")

    size = os.environ.get("PLEIN_BENCH_RESOLVE_SIZE", "medium")
    given = os.environ.get("PLEIN_BENCH_RESOLVE_URL")
    if given:
        # An already seeded world (``plein demo seed --size large --out DIR``): resolved in place.
        truth = Path(os.environ.get("PLEIN_BENCH_RESOLVE_TRUTH", "var/demo"))
        engine = create_engine_for(given)
        started = time.perf_counter()
        summary = run_resolution(engine)
        seconds = time.perf_counter() - started
        score = evaluate(engine, truth)
        engine.dispose()
        records = summary.counts["registraties"]
        report(f"resolve demo world {size} ({records:,} records)", seconds, "s", None, "world seeded beforehand")
        report(f"resolve demo world {size} F1", score.f1, "F1", None, "")
        return
    from plein.demo.seed import seed_demo_world

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = create_engine_for(f"sqlite:///{folder / 'world.db'}")
        upgrade(engine)
        started = time.perf_counter()
        seed_demo_world(engine, size=size, seed=1, out_dir=folder / "demo")
        seed_seconds = time.perf_counter() - started
        started = time.perf_counter()
        summary = run_resolution(engine)
        seconds = time.perf_counter() - started
        score = evaluate(engine, folder / "demo")
        engine.dispose()
    records = summary.counts["registraties"]
    report(f"resolve demo world {size} ({records:,} records)", seconds, "s", seed_seconds, "seeding the same world")
    report(f"resolve demo world {size} F1", score.f1, "F1", None, "")

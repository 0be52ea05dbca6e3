"""Seeding the demo world: rows/s on SQLite and PostgreSQL.

Baseline: the same database's raw bulk-insert rate (executemany on SQLite, COPY on PostgreSQL) of
the same number of pre-built narrow rows into a scratch table, in the same run. The ratio shows
what generating a realistic world costs on top of just writing rows.
The partner export files, search index and demo accounts that ``plein demo seed`` adds afterwards
are left out (``extras=False``); they are measured by their own benchmarks.
Size: ``PLEIN_BENCH_SEED_SIZE`` (default ``large``: 1,000,000 establishments, 5,000,000 records).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text
from tests.databases import fresh_database

from plein.demo.seed import seed_demo_world
from plein.store.bulk import BulkWriter
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade

Report = Callable[..., None]


def raw_insert_rate(engine: Engine, rows: int) -> float:
    """Rows/s of the database's fastest plain bulk insert of ``rows`` narrow rows."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, label VARCHAR(40), n INTEGER)"))
    data = [(i, f"rij {i}", i % 97) for i in range(1, rows + 1)]
    writer = BulkWriter(engine)
    started = time.perf_counter()
    for start in range(0, rows, 50_000):
        writer.write("bench_raw", ("id", "label", "n"), data[start : start + 50_000])
    writer.finish()
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE bench_raw"))
    return rows / seconds


def run(report: Report) -> None:
    size = os.environ.get("PLEIN_BENCH_SEED_SIZE", "large")
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as directory, fresh_database(backend, Path(directory)) as url:
            engine = create_engine_for(url)
            upgrade(engine)
            result = seed_demo_world(engine, size, 1, Path(directory) / "demo", extras=False)
            baseline = raw_insert_rate(engine, min(result.rows, 5_000_000))
            report(
                f"seed {size} on {backend} ({result.rows:,} rows in {result.seconds:.0f} s)",
                result.rows_per_second,
                "rows/s",
                baseline,
                f"raw bulk insert on {backend}",
            )
            engine.dispose()

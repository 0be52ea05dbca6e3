"""Import speed: plein's streaming, validating, idempotent import of a large partner CSV, beside
DuckDB's ``read_csv`` of the same file in the same run (a parser with no validation, mapping,
quarantine or transactional storage: the ceiling, not a competitor).

Rows from ``PLEIN_BENCH_INGEST_ROWS`` (default 1,000,000), on SQLite and PostgreSQL
(``PLEIN_BENCH_INGEST_BACKENDS``). Each backend imports the file, stopped half-way as if its process
died and resumed; the rate of the first and the last tenth of the chunks shows whether the import
slows as the tables grow; then the same file again (every row unchanged).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from sqlalchemy import Engine, update
from tests.databases import fresh_database

from plein.core.models import Organisation
from plein.ingest.importer import import_file
from plein.ingest.models import IngestRun
from plein.ingest.sources import register_source
from plein.store.engine import create_engine_for, session_factory
from plein.store.migrate import upgrade

MAPPING = """
name: bench-od
format: csv
csv: {delimiter: ";", encoding: utf-8}
record_kind: inspectie
key: [Zaak]
date_formats: ["%d-%m-%Y"]
fields:
  occurred_on: {column: Datum, required: true}
  reported_name: {column: Naam}
  reported_kvk: {column: KvK, type: kvk}
  reported_postcode: {column: Postcode, type: postcode}
  reported_house_number: {column: Huisnr}
  theme_code: {column: Thema, map: {AFV: afval, BOD: bodem, ASB: asbest}}
  outcome: {column: Uitkomst, required: true, map: {GO: geen_overtreding, OVT: overtreding}}
  severity: {column: Ernst, required: true, map: {"0": geen, "2": middel}}
  findings: {column: Bevindingen}
"""


def write_csv(path: Path, rows: int) -> None:
    """A partner-like CSV: ';', dd-mm-jjjj, a few bad rows (1 in 1,000) that go to quarantine."""
    themes = ("AFV", "BOD", "ASB")
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Zaak;Datum;Naam;KvK;Postcode;Huisnr;Thema;Uitkomst;Ernst;Bevindingen\n")
        for n in range(rows):
            date = "31-02-2024" if n % 1000 == 999 else f"{n % 28 + 1:02d}-{n % 12 + 1:02d}-{2020 + n % 6}"
            handle.write(
                f"Z-{n:08d};{date};Bedrijf {n % 50_000} B.V.;{10_000_000 + n % 50_000};{1000 + n % 8999} AB;"
                f"{n % 300 + 1};{themes[n % 3]};{'OVT' if n % 3 else 'GO'};{'2' if n % 3 else '0'};bevinding {n % 97}\n"
            )


class _Interrupted(Exception):
    """Raised from the progress callback: the import stops as if its process had died."""


def _import_in_two_halves(engine: Engine, path: Path, rows: int, chunk: int) -> tuple[float, float, list[float]]:
    """Import ``path``, interrupted half-way and resumed as after a crash: (first, resume seconds, chunk rates)."""
    marks: list[tuple[float, int]] = [(time.perf_counter(), 0)]
    stopped: list[int] = []

    def stop_half_way(done: int, position: int, size: int) -> None:
        marks.append((time.perf_counter(), done))
        if done >= rows // 2 and not stopped:
            stopped.append(done)
            raise _Interrupted

    started = time.perf_counter()
    with contextlib.suppress(_Interrupted):
        import_file(engine, "bench", path, chunk_size=chunk, progress=stop_half_way)
    first = time.perf_counter() - started
    with session_factory(engine).begin() as session:  # the process is gone: its lease with it
        session.execute(update(IngestRun).where(IngestRun.status == "bezig").values(owner="", heartbeat_at=None))
    started = time.perf_counter()
    summary = import_file(engine, "bench", path, chunk_size=chunk, progress=stop_half_way)
    resume = time.perf_counter() - started
    assert summary.resumed_from >= rows // 2 and summary.status == "voltooid", summary.messages
    assert summary.rows_in == rows == summary.rows_stored + summary.rows_quarantined
    assert summary.file_lines == summary.lines_read == rows + 1
    rates = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in itertools.pairwise(marks) if b[1] > a[1] and b[0] > a[0]]
    return first, resume, rates


def _tenth(rates: list[float], last: bool) -> float:
    part = max(1, len(rates) // 10)
    picked = rates[-part:] if last else rates[:part]
    return sum(picked) / len(picked)


def run(report: Callable[..., None]) -> None:
    rows = int(os.environ.get("PLEIN_BENCH_INGEST_ROWS", "1000000"))
    backends = os.environ.get("PLEIN_BENCH_INGEST_BACKENDS", "sqlite,postgresql").split(",")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "partner.csv"
        write_csv(path, rows)
        started = time.perf_counter()
        with duckdb.connect() as connection:
            count = connection.execute(
                f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', delim=';', header=true); SELECT count(*) FROM t"
            ).fetchone()
        duck_rate = rows / (time.perf_counter() - started)
        assert count is not None and count[0] == rows
        for backend in backends:
            with fresh_database(backend, folder) as url:
                engine = create_engine_for(url)
                upgrade(engine)
                with session_factory(engine).begin() as session:
                    session.add(
                        Organisation(
                            code="BENCH-OD", name="Bench", kind="omgevingsdienst", legal_domain="bestuursrecht"
                        )
                    )
                    session.flush()
                    register_source(
                        session,
                        code="bench",
                        organisation_code="BENCH-OD",
                        source_system="Squit XO",
                        mapping_yaml=MAPPING,
                    )
                first, resume, rates = _import_in_two_halves(engine, path, rows, 5000)
                label = "DuckDB read_csv, same file"
                report(
                    f"import {rows:,} rows ({backend}; stopped half-way, resumed)",
                    rows / (first + resume),
                    "rows/s",
                    duck_rate,
                    label,
                )
                report(
                    f"resume after a crash at half ({backend}; rest of the file)",
                    (rows - rows // 2) / resume,
                    "rows/s",
                    duck_rate,
                    label,
                )
                report(f"first tenth of the chunks ({backend})", _tenth(rates, last=False), "rows/s", duck_rate, label)
                report(f"last tenth of the chunks ({backend})", _tenth(rates, last=True), "rows/s", duck_rate, label)
                started = time.perf_counter()
                again = import_file(engine, "bench", path, chunk_size=5000)
                seconds = time.perf_counter() - started
                assert again.rows_unchanged == again.rows_stored and again.rows_in == rows
                report(
                    f"re-import, all unchanged ({backend}; {rows:,} rows)", rows / seconds, "rows/s", duck_rate, label
                )
                engine.dispose()

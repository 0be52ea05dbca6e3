"""Import speed: plein's streaming, validating, idempotent import of a large partner CSV, beside
DuckDB's ``read_csv`` of the same file in the same run (a parser with no validation, mapping,
quarantine or transactional storage: the ceiling, not a competitor).

Rows from ``PLEIN_BENCH_INGEST_ROWS`` (default 1,000,000); SQLite, the default deployment. Set
``PLEIN_BENCH_INGEST_REIMPORT=1`` to also time re-importing the same file (every row unchanged).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from plein.core.models import Organisation
from plein.ingest.importer import import_file
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


def run(report: Callable[..., None]) -> None:
    rows = int(os.environ.get("PLEIN_BENCH_INGEST_ROWS", "1000000"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "partner.csv"
        write_csv(path, rows)
        engine = create_engine_for(f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)
        with session_factory(engine).begin() as session:
            session.add(
                Organisation(code="BENCH-OD", name="Bench", kind="omgevingsdienst", legal_domain="bestuursrecht")
            )
            session.flush()
            register_source(
                session, code="bench", organisation_code="BENCH-OD", source_system="Squit XO", mapping_yaml=MAPPING
            )

        started = time.perf_counter()
        with duckdb.connect() as connection:
            count = connection.execute(
                f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', delim=';', header=true); SELECT count(*) FROM t"
            ).fetchone()
        duck_seconds = time.perf_counter() - started
        assert count is not None and count[0] == rows

        started = time.perf_counter()
        summary = import_file(engine, "bench", path, chunk_size=5000)
        seconds = time.perf_counter() - started
        assert summary.rows_in == rows == summary.rows_stored + summary.rows_quarantined

        duck_rate = rows / duck_seconds
        report(f"import {rows:,} rows (SQLite)", rows / seconds, "rows/s", duck_rate, "DuckDB read_csv, same file")
        if os.environ.get("PLEIN_BENCH_INGEST_REIMPORT"):
            started = time.perf_counter()
            again = import_file(engine, "bench", path, chunk_size=5000)
            again_seconds = time.perf_counter() - started
            assert again.rows_unchanged == summary.rows_stored
            report(f"re-import, all unchanged ({rows:,} rows)", rows / again_seconds, "rows/s", duck_rate, "DuckDB")
        engine.dispose()

"""The existing-key lookup of every import chunk is planned on its index on PostgreSQL, however often it runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select

from plein.core.models import Record
from plein.ingest.importer import existing_records_query, import_file, prefer_custom_plans
from tests.ingest.helpers import HEADER, csv_rows, test_source

ROWS = 4000


def _lookup_plan(connection: Connection, keys: list[str], organisation_id: int) -> str:
    """The plan of the importer's lookup as a prepared statement after many runs (EXPLAIN EXECUTE)."""
    import psycopg

    compiled = existing_records_query("postgresql", organisation_id, "Squit XO", keys).compile(
        dialect=connection.dialect
    )
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    sql = re.sub(r"%\((\w+)\)s", number, str(compiled))
    values = [compiled.params[name] for name in names]
    raw = connection.connection.driver_connection
    with psycopg.ClientCursor(raw) as cursor:  # type: ignore[arg-type]
        cursor.execute(f"PREPARE lookup AS {sql}")
        placeholders = ", ".join(["%s"] * len(values))
        for _ in range(6):  # past the point where PostgreSQL may switch to a cached generic plan
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) EXECUTE lookup({placeholders})", values)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE lookup")
    return re.sub(r"'\{[^}]*\}'", "'{…}'", plan)  # the 2,000 keys of a planned constant, shortened


def test_key_lookup_uses_the_keys_on_the_index(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("plan caching is PostgreSQL's; SQLite plans every statement afresh")
    source = test_source(engine)
    path = tmp_path / "export.csv"
    path.write_text("\n".join([HEADER, *csv_rows(ROWS)]) + "\n", encoding="utf-8")
    assert import_file(engine, source, path).rows_new == ROWS
    keys = [f"Z-{n:06d}" for n in range(ROWS - 2000 + 1, ROWS + 1)]
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE record")
        organisation_id = connection.scalar(select(Record.source_organisation_id).limit(1))
        assert organisation_id is not None
    # What a cached generic plan does: compare every record of the organisation with each key of the
    # array parameter in turn (not hashed, since the array is not known when planning).
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        generic = _lookup_plan(connection, keys, organisation_id)
    assert re.search(r"Filter: .*source_key\)::text = ANY \(+\$\d", generic), generic
    # The importer's chunk transaction: planned for the actual keys, on the index or as a hashed constant.
    with engine.begin() as connection:
        prefer_custom_plans(connection)
        chosen = _lookup_plan(connection, keys, organisation_id)
    assert not re.search(r"ANY \(+\$", chosen), chosen
    assert re.search(r"source_key\)::text = ANY \('\{…\}'", chosen), chosen

"""Migrations up from empty on both databases, and the schema check's clear refusals."""

import datetime as dt

import pytest
from sqlalchemy import Engine, inspect, text

from plein.errors import SchemaError
from plein.store.engine import create_engine_for
from plein.store.migrate import check_schema, database_heads, script_heads, upgrade


def test_upgrade_from_empty(database_url: str) -> None:
    engine = create_engine_for(database_url)
    with pytest.raises(SchemaError, match="nog niet ingericht"):
        check_schema(engine)
    upgrade(engine)
    check_schema(engine)
    assert database_heads(engine) == script_heads()
    tables = set(inspect(engine).get_table_names())
    assert {
        "organisation",
        "legal_entity",
        "establishment",
        "address",
        "record",
        "inspection",
        "permit",
        "report",
        "transport",
        "import_batch",
        "person",
        "theme",
    } <= tables
    upgrade(engine)  # idempotent
    check_schema(engine)
    engine.dispose()


def test_newer_schema_is_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('from_the_future')"))
    with pytest.raises(SchemaError, match=r"nieuwer schema.*from_the_future"):
        check_schema(engine)
    with pytest.raises(SchemaError, match="nieuwer schema"):
        upgrade(engine)


def test_foreign_tables_without_schema(database_url: str) -> None:
    engine = create_engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE something_else (id INTEGER)"))
    with pytest.raises(SchemaError, match="geen plein-schema"):
        check_schema(engine)
    engine.dispose()


_BATCHES = [  # (kind, status as written before 0012, status after it)
    ("demo", "running", "bezig"),
    ("demo", "done", "voltooid"),
    ("import", "finished", "voltooid"),
    ("import", "failed", "mislukt"),
    ("crawl", "running", "bezig"),
    ("crawl", "finished", "voltooid"),
    ("crawl", "mislukt", "mislukt"),
    ("crawl", "onderbroken", "onderbroken"),
]
_CRAWLS = [("c1", "klaar", "voltooid"), ("c2", "bezig", "bezig"), ("c3", "mislukt", "mislukt")]


def _statuses(engine: Engine) -> tuple[list[str], list[str]]:
    with engine.connect() as connection:
        batches = list(connection.scalars(text("SELECT status FROM import_batch ORDER BY id")))
        crawls = list(connection.scalars(text("SELECT status FROM webwatch_crawl ORDER BY id")))
    return batches, crawls


def test_status_names_migrate_to_one_dutch_word_and_back(database_url: str) -> None:
    """0012 maps the batch and crawl statuses onto RunStatus; the downgrade restores each writer's word."""
    from alembic import command

    from plein.core.vocabulary import RunStatus
    from plein.store.migrate import alembic_config

    engine = create_engine_for(database_url)
    upgrade(engine, "0003_webwatch")
    now = {"now": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (id, code, name, kind, legal_domain, created_at) "
                "VALUES (1, 'OD', 'OD', 'omgevingsdienst', 'bestuursrecht', :now)"
            ),
            now,
        )
        for i, (kind, old, _new) in enumerate(_BATCHES, start=1):
            connection.execute(
                text(
                    "INSERT INTO import_batch (id, organisation_id, source_system, kind, description, "
                    "started_at, status, rows_in, rows_stored, rows_quarantined) "
                    "VALUES (:id, 1, 's', :kind, '', :now, :status, 0, 0, 0)"
                ),
                {"id": i, "kind": kind, "status": old, **now},
            )
        for ident, old, _new in _CRAWLS:
            connection.execute(
                text(
                    "INSERT INTO webwatch_crawl (id, themes, start_urls, mode, status, organisation_id, "
                    "started_at, stats) "
                    "VALUES (:id, '[]', '[]', 'demo', :status, 1, :now, '{}')"
                ),
                {"id": ident, "status": old, **now},
            )
    upgrade(engine)
    check_schema(engine)
    batches, crawls = _statuses(engine)
    assert batches == [new for _kind, _old, new in _BATCHES]
    assert crawls == [new for _ident, _old, new in _CRAWLS]
    assert set(batches) | set(crawls) <= {s.value for s in RunStatus}
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012_batch_status_names@-1")
        command.downgrade(config, "0012_webwatch_crawl_status@-1")
    batches, crawls = _statuses(engine)
    assert batches == [old for _kind, old, _new in _BATCHES]
    assert crawls == [old for _ident, old, _new in _CRAWLS]
    engine.dispose()

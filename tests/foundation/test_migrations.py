"""Migrations up from empty on both databases, and the schema check's clear refusals."""

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

"""Database access: engine, sessions, migrations. SQLite and PostgreSQL from the same code."""

from plein.store.engine import create_engine_for, session_factory
from plein.store.migrate import check_schema, upgrade

__all__ = ["check_schema", "create_engine_for", "session_factory", "upgrade"]

"""Wiring shared by the CLI and the web server: settings → engine → checked schema."""

from __future__ import annotations

from sqlalchemy import Engine

from plein.settings import Settings, get_settings
from plein.store.engine import create_engine_for
from plein.store.migrate import check_schema


def open_engine(settings: Settings | None = None) -> Engine:
    """An engine for the configured database; var/ is created and checked first for SQLite."""
    settings = settings or get_settings()
    url = settings.resolved_database_url()
    if url.startswith("sqlite") or not settings.database_url:
        settings.ensure_var_dir()
    return create_engine_for(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        busy_timeout=settings.db_busy_timeout,
    )


def ready_engine(settings: Settings | None = None) -> Engine:
    """An engine whose schema is exactly this plein's; raises SchemaError with the fix otherwise."""
    engine = open_engine(settings)
    check_schema(engine)
    return engine

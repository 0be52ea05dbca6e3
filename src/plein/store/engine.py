"""Engine creation with clear errors for broken URLs and unreachable servers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from plein.errors import ConfigurationError

SUPPORTED_DIALECTS = ("sqlite", "postgresql")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers while a writer works."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    """Per connection: no JIT compilation. plein's queries are short look-ups whose cost estimates
    (large tables) trigger JIT, which then spends hundreds of milliseconds compiling them."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def create_engine_for(url: str, *, check: bool = True) -> Engine:
    """An engine for ``url``; raises ConfigurationError naming what is wrong with it."""
    hint = "Controleer PLEIN_DATABASE_URL, bijvoorbeeld sqlite:///var/plein.db of postgresql+psycopg://user@host/db."
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"PLEIN_DATABASE_URL is geen geldige database-URL: {url!r}. {hint}") from exc
    if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
        raise ConfigurationError(
            f"Database-soort {parsed.get_backend_name()!r} wordt niet ondersteund; kies SQLite of PostgreSQL. {hint}"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigurationError(f"Kan geen verbinding opzetten met {parsed!r}: {exc}. {hint}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine, "connect", _postgresql_settings)
    if check:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise ConfigurationError(
                f"De database {parsed.render_as_string(hide_password=True)} is niet bereikbaar: {reason}. {hint}"
            ) from exc
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (pages render after the transaction)."""
    return sessionmaker(engine, expire_on_commit=False)

"""Engine creation with clear errors for broken URLs and unreachable servers.

Sized for a server: on SQLite, WAL lets readers work while one writer writes, and a busy timeout
makes a writer wait for another's lock instead of failing with "database is locked"; on both, the
pool holds ``pool_size`` connections plus ``max_overflow`` at peaks (the web app admits no more
requests at once than that, so no request waits for a connection; see ``web.limits``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from plein.errors import ConfigurationError

SUPPORTED_DIALECTS = ("sqlite", "postgresql")


DEFAULT_BUSY_TIMEOUT = 10.0


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
    """Foreign keys on, WAL for concurrent readers while a writer works, writers wait for the lock."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
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


def _owner_only_sqlite_file(database: str | None) -> None:
    """Create the SQLite file readable by its owner only (its -wal and -shm files inherit the mode)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        elif path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:
        return  # the folder is missing or not ours: SQLite reports that itself, with its own message


def create_engine_for(
    url: str,
    *,
    check: bool = True,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> Engine:
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
    options: dict[str, Any] = {"pool_pre_ping": True}
    is_file = parsed.get_backend_name() != "sqlite" or parsed.database not in (None, "", ":memory:")
    if is_file and pool_size is not None:
        options.update(pool_size=pool_size, max_overflow=max_overflow or 0, pool_timeout=60)
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": busy_timeout}
        _owner_only_sqlite_file(parsed.database)
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigurationError(f"Kan geen verbinding opzetten met {parsed!r}: {exc}. {hint}") from exc
    if engine.dialect.name == "sqlite":

        def on_connect(dbapi_connection: Any, record: Any) -> None:
            _sqlite_pragmas(dbapi_connection, record, busy_timeout=busy_timeout)

        event.listen(engine, "connect", on_connect)
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

"""Throw-away databases on SQLite and on the PostgreSQL server, for tests and benchmarks.

Every database test runs on both. When PostgreSQL is not reachable, tests fail loudly in CI
(``CI=true``) and are skipped with the reason elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get("PLEIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def postgres_unavailable_reason() -> str | None:
    """None when the PostgreSQL test server answers, else why not."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return (
            f"PostgreSQL op {make_url(POSTGRES_URL).render_as_string(hide_password=True)} niet bereikbaar: {exc.orig}"
        )
    return None


def require_postgres() -> None:
    """Fail in CI, skip locally, when PostgreSQL is not there."""
    reason = postgres_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: de PostgreSQL-tests mogen niet worden overgeslagen)", pytrace=False)
    pytest.skip(reason)


@contextmanager
def fresh_postgres_database(prefix: str = "plein_t") -> Iterator[str]:
    """Create an empty database on the PostgreSQL test server; drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database URL for ``backend`` ('sqlite' or 'postgresql')."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'plein-{uuid.uuid4().hex[:8]}.db'}"
    elif backend == "postgresql":
        require_postgres()
        with fresh_postgres_database() as url:
            yield url
    else:  # pragma: no cover - a typo in a test
        raise ValueError(backend)

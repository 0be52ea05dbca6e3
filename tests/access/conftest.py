"""A tiny world per backend shared by a test module (creating PostgreSQL databases is the slow part)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade
from tests.access.world import World, build_world
from tests.databases import BACKENDS, fresh_database

LOGIN_USERS = ("a.analist", "a.inspecteur", "b.analist", "a.beheer", "a.fg", "a.beleid", "lock.me")


@pytest.fixture(scope="module", params=BACKENDS)
def shared_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, World]]:
    """(engine, world) for tests that do not disturb each other (each uses its own users or rolls back)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("world")) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            world = build_world(session, with_passwords=LOGIN_USERS)
            session.commit()
        yield engine, world
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def audit_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database per backend at the newest schema, for the audit log's own tests."""
    with fresh_database(request.param, tmp_path) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Engine]]:
    """Point the CLI at a fresh SQLite database with the given secret key; returns an engine on it."""
    engines: list[Engine] = []

    def make(secret: str) -> Engine:
        from plein.settings import get_settings

        url = f"sqlite:///{tmp_path / 'cli.db'}"
        monkeypatch.setenv("PLEIN_DATABASE_URL", url)
        monkeypatch.setenv("PLEIN_SECRET_KEY", secret)
        get_settings.cache_clear()
        engine = create_engine_for(url)
        upgrade(engine)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()

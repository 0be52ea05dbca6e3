"""Shared fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from plein.settings import Settings, get_settings
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade
from plein.web.app import create_app
from tests.access.clients import SEEDED_USER, authorise_client
from tests.databases import BACKENDS, fresh_database

# Caches the tests create (the webwatch lexicon, chromium's profile) stay in the repository, not in
# the home folder; set before plein or a browser reads them, and inherited by the CLI subprocesses.
_CACHE = Path(__file__).resolve().parents[1] / ".cache"
os.environ.setdefault("XDG_CACHE_HOME", str(_CACHE / "xdg"))
os.environ.setdefault("XDG_CONFIG_HOME", str(_CACHE / "xdg-config"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run in the serial pass: a chromium per worker would starve a small machine."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.serial)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own var/ and no PLEIN_* variables from the developer's shell."""
    for key in [k for k in __import__("os").environ if k.startswith("PLEIN_") and not k.startswith("PLEIN_TEST_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PLEIN_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database at the newest schema."""
    engine = create_engine_for(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One small demo world per backend, shared by the tests that only read it."""
    from plein.demo.seed import seed_demo_world

    directory = tmp_path_factory.mktemp(f"seeded-{request.param}")
    with fresh_database(request.param, directory) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        seed_demo_world(engine, size="small", seed=7, out_dir=directory / "demo")
        yield engine
        engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at the test's own var/."""
    return Settings(var_dir=tmp_path / "var")


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """A client for the app on an empty database, logged in (API token) as a test analist."""
    with TestClient(create_app(engine, settings)) as test_client:
        authorise_client(test_client, engine)
        yield test_client


@pytest.fixture
def seeded_client(seeded_engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """A client for the app on the small demo world, logged in (API token) as demo analist of OD-NZKG."""
    with TestClient(create_app(seeded_engine, settings)) as test_client:
        authorise_client(test_client, seeded_engine, SEEDED_USER)
        yield test_client

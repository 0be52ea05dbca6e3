"""Single sign-on: only an account a beheerder linked to the identity logs in (provider mocked)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.responses import RedirectResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditEntry
from plein.auth.models import UserAccount
from plein.auth.oidc import subject_key
from plein.settings import Settings
from plein.web.app import create_app
from tests.access.world import World

ISSUER = "https://login.example.invalid/realms/plein"


class FakeProvider:
    """Stands in for Authlib's client: redirects, then hands back the identity it was told to."""

    def __init__(self) -> None:
        self.subject = ""

    async def authorize_redirect(self, request: Any, redirect_uri: str) -> RedirectResponse:
        return RedirectResponse(f"{ISSUER}/auth?redirect_uri={redirect_uri}", status_code=302)

    async def authorize_access_token(self, request: Any) -> dict[str, Any]:
        return {"access_token": "x", "userinfo": {"sub": self.subject}}


@pytest.fixture
def sso(
    shared_world: tuple[Engine, World], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, FakeProvider, Engine]]:
    engine, world = shared_world
    monkeypatch.setenv("PLEIN_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("PLEIN_OIDC_CLIENT_ID", "plein")
    monkeypatch.setenv("PLEIN_OIDC_CLIENT_SECRET", "geheim")
    settings = Settings(var_dir=settings.var_dir)  # read again: the provider comes from the environment
    assert settings.oidc_configured
    provider = FakeProvider()
    monkeypatch.setattr("plein.web.oidc_pages._client", lambda _settings: provider)
    with Session(engine) as session, session.begin():
        user = session.get(UserAccount, world.users["b.analist"].id)
        assert user is not None
        user.oidc_subject = subject_key(ISSUER, "sub-b")
    with TestClient(create_app(engine, settings), base_url="https://testserver") as client:
        yield client, provider, engine


def test_sso_is_off_without_a_provider(client: TestClient) -> None:
    assert client.get("/inloggen/sso", follow_redirects=False).status_code == 404
    assert "single sign-on" not in client.get("/inloggen").text


def test_linked_identity_logs_in(sso: tuple[TestClient, FakeProvider, Engine]) -> None:
    client, provider, _engine = sso
    assert 'id="sso"' in client.get("/inloggen").text
    start = client.get("/inloggen/sso", follow_redirects=False)
    assert start.status_code == 302 and start.headers["location"].startswith(ISSUER)
    provider.subject = "sub-b"
    back = client.get("/inloggen/sso/terug", follow_redirects=False)
    assert back.status_code == 303
    assert client.get("/account").status_code == 200 and "b.analist" in client.get("/account").text


def test_unlinked_identity_is_refused_and_audited(sso: tuple[TestClient, FakeProvider, Engine]) -> None:
    client, provider, engine = sso
    provider.subject = "iemand-anders"
    back = client.get("/inloggen/sso/terug", follow_redirects=False)
    assert back.status_code == 403 and "geen plein-account" in back.text
    assert "plein_sessie" not in client.cookies
    with Session(engine) as session:
        rules = set(session.scalars(select(AuditEntry.rule).where(AuditEntry.name == "inloggen.sso")))
    assert "geen-account" in rules

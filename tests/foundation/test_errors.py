"""One error mapping: each PleinError kind carries its HTTP status, answered by one handler (API and HTML)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from plein.audit.chain import AuditLogBroken
from plein.auth.accounts import LoginFailed
from plein.errors import (
    ConfigurationError,
    Conflict,
    NotAuthenticated,
    NotFound,
    PleinError,
    SchemaError,
    ValidationError,
)
from plein.ingest.importer import ImportBusy
from plein.policy.errors import NotVisible, Refused
from plein.settings import Settings
from plein.web.app import create_app
from plein.web.requires import PUBLIC

KINDS: list[tuple[PleinError, int]] = [
    (ValidationError("postcode: 1234 XX bestaat niet."), 400),
    (NotAuthenticated("Inloggen is mislukt."), 401),
    (LoginFailed("Onbekende gebruikersnaam of onjuist wachtwoord.", "wachtwoord"), 401),
    (Refused("rol", "Uw rol geeft geen toegang."), 403),
    (NotVisible("Registratie", 7), 404),
    (NotFound("Organisatie 7 bestaat niet."), 404),
    (Conflict("Dit bestand wordt al ingelezen."), 409),
    (ImportBusy("Dit bestand wordt al ingelezen in bron demo."), 409),
    (ConfigurationError("De map var is niet schrijfbaar."), 500),
    (SchemaError("De database is niet bijgewerkt."), 500),
    (AuditLogBroken("Het logboek is niet aan te vullen."), 500),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    app = create_app(create_engine("sqlite://"), Settings(var_dir=Path(tmp_path_factory.mktemp("errors-var"))))
    for index, (error, _status) in enumerate(KINDS):
        app.add_api_route(f"/v1/fout/{index}", _raising(error), dependencies=[PUBLIC])
        app.add_api_route(f"/fout/{index}", _raising(error), dependencies=[PUBLIC])
    return TestClient(app)


def _raising(error: PleinError) -> Callable[[], None]:
    def fail() -> None:
        raise error

    return fail


@pytest.mark.parametrize(("index", "kind"), list(enumerate(KINDS)), ids=[type(e).__name__ for e, _ in KINDS])
def test_each_kind_answers_with_its_own_status(client: TestClient, index: int, kind: tuple[PleinError, int]) -> None:
    error, status = kind
    assert error.status == status
    api = client.get(f"/v1/fout/{index}")
    assert api.status_code == status and api.headers["content-type"].startswith("application/problem+json")
    body = api.json()
    assert body["status"] == status and body["detail"] == error.message and body["instance"] == f"/v1/fout/{index}"
    if type(error) is Refused:  # a refusal names its rule; an invisible record answers as a missing one
        assert body["regel"] == "rol"
    else:
        assert "regel" not in body
    page = client.get(f"/fout/{index}")
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert error.message.split(":")[0] in page.text and "Traceback" not in page.text

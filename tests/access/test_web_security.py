"""Security headers on every response (errors too), only asset files from node_modules, limits before work."""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditEntry
from plein.auth.models import UserAccount
from plein.auth.tokens import issue_token
from plein.policy.errors import NotVisible
from plein.settings import Settings
from plein.web.app import create_app
from tests.access.live import live_server
from tests.access.world import World

MB = 1024 * 1024


@pytest.fixture
def engine(shared_world: tuple[Engine, World]) -> Engine:
    return shared_world[0]


@pytest.fixture
def app(engine: Engine, tmp_path: Path) -> FastAPI:
    settings = Settings(var_dir=tmp_path / "var", max_upload_mb=1)
    app = create_app(engine, settings)

    def explode() -> None:
        raise RuntimeError("boem")

    def refuse() -> None:  # a refusal where no request session was opened
        raise NotVisible("Ding", 4242)

    app.add_api_route("/v1/test-fout", explode)
    app.add_api_route("/test-fout", explode)
    app.add_api_route("/v1/test-weigering", refuse)
    return app


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _token(engine: Engine, username: str) -> str:
    with Session(engine) as session, session.begin():
        user = session.scalars(select(UserAccount).where(UserAccount.username == username)).one()
        secret, _row = issue_token(session, user, "test")
    return secret


def _assert_secure(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_every_response_carries_the_security_headers_also_a_500(web: TestClient, engine: Engine) -> None:
    for path, status in (("/v1/test-fout", 500), ("/test-fout", 500)):
        # a route that raises: Starlette answers it outside all middleware, yet the headers are there
        response = web.get(path, headers={"Authorization": f"Bearer {_token(engine, 'a.analist')}"})
        assert response.status_code == status
        assert "boem" not in response.text and "Traceback" not in response.text
        _assert_secure(response)
        assert response.headers["cache-control"] == "no-store"
    for path, status in (
        ("/inloggen", 200),
        ("/", 303),
        ("/v1/registraties", 401),
        ("/v1/bestaat-niet", 404),
        ("/static/plein/plein.css", 200),
    ):
        response = web.get(path, follow_redirects=False)
        assert response.status_code == status, path
        _assert_secure(response)
    bearer = {"Authorization": f"Bearer {_token(engine, 'a.analist')}"}
    refused = web.get("/v1/registraties?doel=beheer", headers=bearer)
    assert refused.status_code == 403
    _assert_secure(refused)
    too_large = web.post("/v1/samenwerkingen/1/gedeelde-registraties", content=b"x" * (MB + 1), headers=bearer)
    assert too_large.status_code == 413
    _assert_secure(too_large)


def test_pages_have_no_inline_script_or_style(web: TestClient) -> None:
    templates = Path(__file__).parents[2] / "src" / "plein" / "web" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert " style=" not in text and "<style" not in text, template
        for part in text.split("<script")[1:]:
            assert part.lstrip().startswith("src="), template  # only external scripts: the CSP allows no inline


def test_only_asset_files_of_the_front_end_packages_are_served(web: TestClient) -> None:
    assert web.get("/static/vendor/htmx.org/dist/htmx.min.js").status_code == 200
    assert web.get("/static/vendor/leaflet/dist/leaflet.css").status_code == 200
    for metadata in (
        "/static/vendor/htmx.org/package.json",
        "/static/vendor/htmx.org/README.md",
        "/static/vendor/htmx.org/LICENSE",
        "/static/vendor/leaflet/CHANGELOG.md",
        "/static/vendor/.package-lock.json",
    ):
        response = web.get(metadata)
        assert response.status_code == 404, metadata
        _assert_secure(response)


def test_oversized_bodies_are_refused_before_they_are_read(web: TestClient, engine: Engine) -> None:
    bearer = {"Authorization": f"Bearer {_token(engine, 'a.analist')}"}
    by_length = web.post("/v1/samenwerkingen/1/gedeelde-registraties", content=b" " * (MB + 1), headers=bearer)
    assert by_length.status_code == 413
    assert by_length.headers["content-type"].startswith("application/problem+json")
    assert by_length.json()["detail"] == "De inhoud van het verzoek is te groot: een verzoek mag hoogstens 1 MB zijn."

    def chunks() -> Iterator[bytes]:  # no Content-Length: the streamed bytes are counted
        for _ in range(3):
            yield b" " * (MB // 2)

    streamed = web.post(
        "/v1/samenwerkingen/1/gedeelde-registraties",
        content=chunks(),
        headers={**bearer, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413 and "1 MB" in streamed.json()["detail"], streamed.text
    kvk_list = web.post("/v1/registraties/_zoek", content=b" " * (5 * MB + 1), headers=bearer)
    assert kvk_list.status_code == 413 and "5 MB" in kvk_list.json()["detail"]  # this route's own limit
    fits = web.post("/v1/registraties/_zoek", json={"kvkNummers": ["12345678"]}, headers=bearer)
    assert fits.status_code in (200, 400)
    beheer = {"Authorization": f"Bearer {_token(engine, 'a.beheer')}"}
    form = web.post("/bronnen", data={"code": "x" * (101 * 1024)}, headers=beheer)
    assert form.status_code == 413 and "100 kB" in form.text
    upload = web.post(
        "/bronnen/ODA-TEST/imports", files={"bestand": ("groot.csv", b"a;b\n" * (MB // 2))}, headers=beheer
    )
    assert upload.status_code == 413 and "1 MB" in upload.text  # the configured maximum upload (1 MB here)


def _post_raw(base: str, path: str, content_type: str, declared: int) -> tuple[int, int]:
    """POST a body of ``declared`` bytes chunk by chunk until the server answers; (status, bytes sent)."""
    host = urlsplit(base)
    sock = socket.create_connection((host.hostname, host.port))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: {host.netloc}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {declared}\r\n\r\n".encode()
    )
    sent = 0
    stop = threading.Event()

    def body() -> None:  # the 300 MB never exist: a generator of 1 MB blocks
        nonlocal sent
        block = b"[" + b"1," * (MB // 2 - 1)
        try:
            while sent < declared and not stop.is_set():
                sock.sendall(block)
                sent += len(block)
        except OSError:
            return  # the server closed the connection after its answer

    sender = threading.Thread(target=body, daemon=True)
    sender.start()
    sock.settimeout(30)
    answer = b""
    while b"\r\n" not in answer:
        data = sock.recv(4096)
        if not data:
            break
        answer += data
    stop.set()
    sender.join(30)
    sock.close()
    return int(answer.split(b" ")[1]), sent


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def test_an_unauthenticated_body_is_never_read_nor_spooled(
    app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    with live_server(app) as base:
        before = _rss()
        started = time.monotonic()
        status, sent = _post_raw(base, "/v1/registraties/_zoek", "application/json", 300 * MB)
        took = time.monotonic() - started
        assert status == 401
        assert sent < 64 * MB, f"{sent} bytes sent before the 401"  # the server did not wait for the body
        assert took < 10 and _rss() - before < 100 * MB
        status, sent = _post_raw(base, "/bronnen/ODA-TEST/imports", "multipart/form-data; boundary=x", 500 * MB)
        assert status == 303 and sent < 64 * MB  # the login page, nothing read
    assert not list(spool.iterdir())  # nothing spooled to the temporary folder


def test_the_login_form_is_the_one_anonymous_body_and_it_is_small(web: TestClient) -> None:
    page = web.post("/inloggen", data={"gebruikersnaam": "x", "wachtwoord": "y" * (200 * 1024)})
    assert page.status_code == 413
    normal = web.post("/inloggen", data={"gebruikersnaam": "x", "wachtwoord": "y"})
    assert normal.status_code == 403  # the CSRF check of the login form, not the body guard
    assert json.loads(web.post("/v1/registraties/_zoek", json={}).text)["status"] == 401


def test_a_refusal_outside_any_request_session_is_logged_too(web: TestClient, engine: Engine) -> None:
    trace_id = "ab" * 16
    response = web.get("/v1/test-weigering", headers={"traceparent": f"00-{trace_id}-{'cd' * 8}-01"})
    assert response.status_code == 404 and "Ding 4242" in response.json()["detail"]
    _assert_secure(response)
    with Session(engine) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.trace_id == trace_id)).all()
    assert [(row.status, row.rule, row.details["pad"]) for row in rows] == [
        ("geweigerd", "need-to-know", "/v1/test-weigering")
    ]

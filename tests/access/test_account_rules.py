"""Sessions and tokens follow the account; beheerders manage only their own organisation's accounts;
the login reveals nothing; the throttle trusts X-Forwarded-For only from a configured proxy; uploads
and the SQLite database are the owner's alone."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from plein.audit.models import AuditActor, AuditEntry
from plein.auth.accounts import BAD_CREDENTIALS, create_user, set_password
from plein.auth.models import UserAccount
from plein.auth.sessions import COOKIE, check_session, start_session
from plein.auth.throttle import MAX_FAILURES
from plein.auth.tokens import issue_token, token_user
from plein.cli.serve import proxy_options
from plein.settings import Settings
from plein.store.engine import create_engine_for
from plein.web.app import create_app
from plein.web.ingest_pages import _run_import, open_upload
from tests.access.live import live_server
from tests.access.world import PASSWORD, World, csrf_of, login


@pytest.fixture
def engine(shared_world: tuple[Engine, World]) -> Engine:
    return shared_world[0]


@pytest.fixture
def world(shared_world: tuple[Engine, World]) -> World:
    return shared_world[1]


@pytest.fixture
def web(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(engine, settings), base_url="https://testserver") as client:
        yield client


def _user(session: Session, username: str) -> UserAccount:
    return session.scalars(select(UserAccount).where(UserAccount.username == username)).one()


def _access(engine: Engine, username: str) -> tuple[str, str, str]:
    """Two session cookies and a token of ``username``."""
    with Session(engine) as session, session.begin():
        user = _user(session, username)
        first, _ = start_session(session, user)
        second, _ = start_session(session, user)
        secret, _ = issue_token(session, user, "script")
    return first, second, secret


def _live(engine: Engine, cookie: str = "", token: str = "") -> bool:
    with Session(engine) as session:
        if token:
            return token_user(session, token) is not None
        return check_session(session, cookie)[0] is not None


def _refusals(engine: Engine, username: str, rule: str) -> int:
    with Session(engine) as session:
        return len(
            session.scalars(
                select(AuditEntry.seq)
                .join(AuditActor, AuditActor.id == AuditEntry.actor_id)
                .where(AuditActor.username == username, AuditEntry.status == "geweigerd", AuditEntry.rule == rule)
            ).all()
        )


def test_a_new_password_ends_the_other_sessions_and_the_tokens(engine: Engine) -> None:
    kept, other, token = _access(engine, "b.analist")
    with Session(engine) as session, session.begin():
        user = _user(session, "b.analist")
        keep_id = check_session(session, kept)[0].id  # type: ignore[union-attr]
        assert set_password(user, "een heel nieuw wachtwoord", keep_session_id=keep_id) >= 2
    assert _live(engine, kept)  # the session that changed it stays
    assert not _live(engine, other) and not _live(engine, token=token)


def test_a_deactivated_account_stays_logged_out_after_reactivation(web: TestClient, engine: Engine) -> None:
    cookie, _second, token = _access(engine, "a.fg")
    with Session(engine) as session:
        target = _user(session, "a.fg").id
    login(web, "a.beheer")
    for action in ("deactiveren", "activeren"):
        response = web.post(f"/beheer/gebruikers/{target}/status", data={"csrf_token": csrf_of(web), "actie": action})
        assert response.status_code == 200, response.text
    assert not _live(engine, cookie) and not _live(engine, token=token)
    with TestClient(web.app, base_url="https://testserver") as other:
        other.cookies.set(COOKIE, cookie)
        assert other.get("/v1/registraties").status_code == 401
        assert other.get("/v1/registraties", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_beheerder_manages_only_accounts_of_its_own_organisation_within_its_clearance(
    web: TestClient, engine: Engine, world: World
) -> None:
    login(web, "a.beheer")  # ODA, clearance intern
    page = web.get("/beheer")
    assert "a.analist" in page.text and "b.analist" not in page.text  # ODB's accounts are not listed
    assert 'value="ODB"' not in page.text

    def add(username: str, org: str, clearance: str) -> httpx.Response:
        form = {
            "csrf_token": csrf_of(web),
            "gebruikersnaam": username,
            "naam": username,
            "organisatie": org,
            "rol": "analist",
            "rubricering": clearance,
            "wachtwoord": PASSWORD,
        }
        return web.post("/beheer/gebruikers", data=form)

    before = (
        _refusals(engine, "a.beheer", "beheer-eigen-organisatie"),
        _refusals(engine, "a.beheer", "beheer-rubricering"),
    )
    other_org = add("indringer.b", "ODB", "intern")
    assert other_org.status_code == 403 and "eigen organisatie" in other_org.text
    above = add("indringer.a", "ODA", "zeer_geheim")
    assert above.status_code == 403 and "hogere rubricering" in above.text
    after = (
        _refusals(engine, "a.beheer", "beheer-eigen-organisatie"),
        _refusals(engine, "a.beheer", "beheer-rubricering"),
    )
    assert after == (before[0] + 1, before[1] + 1)  # each audited once
    assert add("nieuw.oda", "ODA", "intern").status_code == 200
    with Session(engine) as session:
        names = set(session.scalars(select(UserAccount.username)))
        assert "nieuw.oda" in names and not {"indringer.a", "indringer.b"} & names
        b_analist = _user(session, "b.analist").id
        a_analist = _user(session, "a.analist").id  # ODA, but vertrouwelijk: above intern
    foreign = web.post(
        f"/beheer/gebruikers/{b_analist}/status", data={"csrf_token": csrf_of(web), "actie": "deactiveren"}
    )
    assert foreign.status_code == 404  # another organisation's account answers as a missing one
    higher = web.post(
        f"/beheer/gebruikers/{a_analist}/status", data={"csrf_token": csrf_of(web), "actie": "deactiveren"}
    )
    assert higher.status_code == 403
    with Session(engine) as session:
        assert _user(session, "b.analist").active and _user(session, "a.analist").active
    assert (
        _refusals(engine, "a.beheer", "need-to-know") >= 1 and _refusals(engine, "a.beheer", "beheer-rubricering") >= 1
    )


def test_a_platform_beheerder_may_and_is_audited_as_such(web: TestClient, engine: Engine, world: World) -> None:
    with Session(engine) as session, session.begin():
        admin = create_user(
            session,
            username="p.beheer",
            password=PASSWORD,
            organisation_id=world.orgs["ODA"],
            role="beheerder",
            clearance="intern",
        )
        admin.platform_admin = True
    login(web, "p.beheer")
    response = web.post(
        "/beheer/gebruikers",
        data={
            "csrf_token": csrf_of(web),
            "gebruikersnaam": "platform.gemaakt",
            "naam": "x",
            "organisatie": "ODB",
            "rol": "analist",
            "rubricering": "geheim",
            "wachtwoord": PASSWORD,
        },
    )
    assert response.status_code == 200
    with Session(engine) as session:
        details = session.scalars(
            select(AuditEntry.details).where(
                AuditEntry.name == "beheer.gebruiker.aanmaken", AuditEntry.object_id == "platform.gemaakt"
            )
        ).one()
        assert details["platformbeheer"] is True and details["organisatie"] == "ODB"


def _login_attempt(client: httpx.Client | TestClient, username: str, password: str, **headers: str) -> httpx.Response:
    page = client.get("/inloggen")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"gebruikersnaam": username, "wachtwoord": password, "csrf_token": token.group(1)}
    return client.post("/inloggen", data=form, headers=headers)


def test_a_locked_account_answers_like_an_unknown_one(web: TestClient) -> None:
    for _ in range(5):
        assert _login_attempt(web, "lock.me", "verkeerd wachtwoord!").status_code == 401
    locked = _login_attempt(web, "lock.me", PASSWORD)  # the right password, but locked
    unknown = _login_attempt(web, "bestaat.niet", PASSWORD)
    assert locked.status_code == unknown.status_code == 401
    assert BAD_CREDENTIALS in locked.text and BAD_CREDENTIALS in unknown.text
    assert "tijdelijk geblokkeerd na te veel" not in locked.text
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", locked.text).replace("lock.me", "X") == strip.sub("", unknown.text).replace(
        "bestaat.niet", "X"
    )


def test_the_throttle_trusts_x_forwarded_for_only_from_a_configured_proxy(engine: Engine, tmp_path: Path) -> None:
    app = create_app(engine, Settings(var_dir=tmp_path / "var"))
    with live_server(app, **proxy_options(Settings())) as base, httpx.Client(base_url=base) as client:
        for n in range(MAX_FAILURES):
            spoofed = {"X-Forwarded-For": f"10.9.{n}.1"}
            assert _login_attempt(client, f"spray{n}", "x" * 12, **spoofed).status_code == 401
        assert _login_attempt(client, "spray", "x" * 12, **{"X-Forwarded-For": "10.9.99.1"}).status_code == 429
    trusted = Settings(trusted_proxies="127.0.0.1")
    app = create_app(engine, Settings(var_dir=tmp_path / "var"))
    with live_server(app, **proxy_options(trusted)) as base, httpx.Client(base_url=base) as client:
        for n in range(MAX_FAILURES + 1):  # behind the trusted proxy, each forwarded address counts apart
            forwarded = {"X-Forwarded-For": f"10.8.{n}.1"}
            assert _login_attempt(client, f"spray{n}", "x" * 12, **forwarded).status_code == 401


def test_uploads_are_the_owners_and_removed_when_the_import_is_done(engine: Engine, tmp_path: Path) -> None:
    folder = Settings(var_dir=tmp_path / "var").ensure_var_dir() / "uploads"
    path, handle = open_upload(folder, "export.csv")
    with handle:
        handle.write(b"a;b\n1;2\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    _run_import(engine, "BESTAAT-NIET", path, "export.csv")  # refused (unknown source): still removed
    assert not path.exists()


def test_the_sqlite_database_and_var_are_the_owners(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    var = settings.ensure_var_dir()
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    engine = create_engine_for(f"sqlite:///{var / 'plein.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        for suffix in ("", "-wal"):
            database = var / f"plein.db{suffix}"
            assert stat.S_IMODE(database.stat().st_mode) == 0o600, suffix
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    engine.dispose()

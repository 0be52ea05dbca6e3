"""Accounts, login throttling, sessions, CSRF and tokens: each attack refused with a clear message, and audited.

Also: sessions and tokens follow the account; beheerders manage only their own organisation's accounts;
the login reveals nothing; the throttle trusts X-Forwarded-For only from a configured proxy; uploads and
the SQLite database are the owner's alone."""

from __future__ import annotations

import datetime as dt
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
from plein.auth.accounts import BAD_CREDENTIALS, MAX_FAILURES, LoginFailed, authenticate, create_user, set_password
from plein.auth.models import ApiToken, UserAccount, WebSession
from plein.auth.sessions import COOKIE, IDLE, check_session, load_session, start_session
from plein.auth.throttle import MAX_FAILURES as ADDRESS_MAX_FAILURES
from plein.auth.tokens import issue_token, token_user
from plein.cli.serve import proxy_options
from plein.core.models import utcnow
from plein.errors import ValidationError
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


def _entries(engine: Engine, name: str, username: str | None = None) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        query = (
            select(AuditEntry.status, AuditEntry.rule, AuditActor.username)
            .join(AuditActor, AuditActor.id == AuditEntry.actor_id)
            .where(AuditEntry.name == name)
            .order_by(AuditEntry.seq)
        )
        if username is not None:
            query = query.where(AuditActor.username == username)
        rows = session.execute(query).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_passwords_are_argon2id_and_rules_apply(engine: Engine, world: World) -> None:
    with Session(engine) as session:
        stored = session.scalars(select(UserAccount.password_hash).where(UserAccount.username == "a.analist")).one()
        assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
        from plein.auth.accounts import create_user

        with pytest.raises(ValidationError, match="12 tekens"):
            create_user(session, username="kort", password="te kort", organisation_id=world.orgs["ODA"], role="analist")
        with pytest.raises(ValidationError, match="gebruikersnaam"):
            create_user(
                session,
                username="x'; DROP TABLE user_account;--",
                password=PASSWORD,
                organisation_id=world.orgs["ODA"],
                role="analist",
            )


def test_lockout_after_repeated_failures(engine: Engine, world: World) -> None:
    with Session(engine) as session:
        for _ in range(MAX_FAILURES):
            with pytest.raises(LoginFailed) as failed:
                authenticate(session, "lock.me", "wrong password!!")
            assert failed.value.message == "Onbekende gebruikersnaam of onjuist wachtwoord."
        with pytest.raises(LoginFailed) as locked:
            authenticate(session, "lock.me", PASSWORD)  # right password, but locked
        # locked, yet the same answer as for an unknown account (the audit entry keeps the reason)
        assert locked.value.message == "Onbekende gebruikersnaam of onjuist wachtwoord."
        assert locked.value.reason == "geblokkeerd"
        later = utcnow() + dt.timedelta(minutes=16)
        assert authenticate(session, "lock.me", PASSWORD, now=later).username == "lock.me"
        session.rollback()
        with pytest.raises(LoginFailed) as unknown:
            authenticate(session, "niemand", PASSWORD)
        assert unknown.value.message == "Onbekende gebruikersnaam of onjuist wachtwoord."


def test_sessions_expire_when_idle_and_after_the_absolute_limit(engine: Engine, world: World) -> None:
    with Session(engine) as session:
        user = session.get(UserAccount, world.users["a.analist"].id)
        assert user is not None
        now = utcnow()
        value, _row = start_session(session, user, now=now)
        assert load_session(session, value, now=now + dt.timedelta(minutes=5)) is not None
        assert load_session(session, value, now=now + dt.timedelta(minutes=5) + IDLE) is None
        value2, _ = start_session(session, user, now=now)
        for minutes in range(20, 8 * 60, 20):  # active all day long, yet ends after 8 hours
            assert load_session(session, value2, now=now + dt.timedelta(minutes=minutes)) is not None
        assert load_session(session, value2, now=now + dt.timedelta(hours=8, minutes=1)) is None
        digests = set(session.scalars(select(WebSession.digest)))
        assert value not in digests and value2 not in digests
        session.rollback()


def test_tokens_are_hashed_and_expire_or_can_be_revoked(engine: Engine, world: World) -> None:
    with Session(engine) as session:
        user = session.get(UserAccount, world.users["a.analist"].id)
        assert user is not None
        secret, row = issue_token(session, user, "script", days=1)
        assert row.digest != secret and secret not in {t.digest for t in session.scalars(select(ApiToken))}
        assert token_user(session, secret) is user
        assert token_user(session, secret, now=utcnow() + dt.timedelta(days=2)) is None
        assert token_user(session, secret + "x") is None
        row.revoked_at = utcnow()
        assert token_user(session, secret) is None
        session.rollback()


def test_login_sets_a_hardened_cookie_and_logout_ends_the_session(web: TestClient, engine: Engine) -> None:
    assert web.get("/", follow_redirects=False).headers["location"].startswith("/inloggen")
    login(web, "a.analist")
    page = web.get("/")
    assert page.status_code == 200 and "a.analist" in page.text
    token = csrf_of(web)
    stolen = web.cookies.get("plein_sessie")
    assert web.post("/uitloggen", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert stolen and "plein_sessie" not in web.cookies  # logout deleted the cookie…
    web.cookies.set("plein_sessie", stolen)  # …but an attacker who copied it replays it
    replay = web.get("/v1/registraties")
    assert replay.status_code == 401 and "verlopen" in replay.json()["detail"]
    assert ("ok", "", "a.analist") in _entries(engine, "inloggen")
    assert ("ok", "", "a.analist") in _entries(engine, "uitloggen")


def test_session_cookie_flags(web: TestClient) -> None:
    page = web.get("/inloggen")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = web.post(
        "/inloggen",
        data={"gebruikersnaam": "a.analist", "wachtwoord": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith("plein_sessie="))
    lowered = header.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=lax" in lowered


def test_wrong_password_and_forged_login_form_are_refused_and_audited(web: TestClient, engine: Engine) -> None:
    import re

    page = web.get("/inloggen")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    wrong = web.post(
        "/inloggen", data={"gebruikersnaam": "b.analist", "wachtwoord": "fout wachtwoord", "csrf_token": token.group(1)}
    )
    assert wrong.status_code == 401 and "onjuist wachtwoord" in wrong.text
    forged = web.post(
        "/inloggen",
        data={
            "gebruikersnaam": "a.analist",
            "wachtwoord": PASSWORD,
            "csrf_token": "vervalst-token-van-een-andere-site",
        },
    )
    assert forged.status_code == 403 and "verlopen" in forged.text
    assert "plein_sessie" not in web.cookies
    entries = _entries(engine, "inloggen")
    assert ("geweigerd", "onjuist-wachtwoord", "b.analist") in entries
    assert any(e[1] == "csrf" for e in entries)


def test_an_address_trying_many_accounts_is_throttled_and_audited(web: TestClient, engine: Engine) -> None:
    import re

    from plein.auth.throttle import MAX_FAILURES

    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/inloggen").text)
    assert token
    for n in range(MAX_FAILURES):  # password spraying: a different (unknown) account every time
        wrong = web.post(
            "/inloggen", data={"gebruikersnaam": f"sproei{n}", "wachtwoord": "Zomer2026!", "csrf_token": token.group(1)}
        )
        assert wrong.status_code == 401
    blocked = web.post(
        "/inloggen", data={"gebruikersnaam": "a.analist", "wachtwoord": PASSWORD, "csrf_token": token.group(1)}
    )
    assert blocked.status_code == 429 and "Te veel mislukte inlogpogingen vanaf dit adres" in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert "plein_sessie" not in web.cookies
    entries = _entries(engine, "inloggen")
    assert any(status == "geweigerd" and rule == "te-veel-pogingen-adres" for status, rule, _user in entries)


def test_the_address_throttle_forgets_failures_outside_its_window() -> None:
    from plein.auth.throttle import LoginThrottle

    throttle = LoginThrottle(max_failures=2, window_seconds=0.2)
    throttle.failed("10.0.0.1")
    assert throttle.wait_seconds("10.0.0.1") == 0
    throttle.failed("10.0.0.1")
    assert throttle.wait_seconds("10.0.0.1") > 0 and throttle.wait_seconds("10.0.0.2") == 0
    import time

    time.sleep(0.25)
    assert throttle.wait_seconds("10.0.0.1") == 0


def test_forged_csrf_on_a_form_is_refused_and_audited(web: TestClient, engine: Engine) -> None:
    login(web, "a.beheer")
    forged = web.post(
        "/beheer/organisaties",
        data={
            "csrf_token": "x" * 43,
            "code": "EVIL",
            "naam": "Evil",
            "soort": "gemeente",
            "rechtsdomein": "bestuursrecht",
        },
    )
    assert forged.status_code == 403 and "CSRF" in forged.text
    missing = web.post("/uitloggen", follow_redirects=False)
    assert missing.status_code == 403
    assert web.get("/beheer").status_code == 200  # still logged in: the forged logout did nothing
    assert len([e for e in _entries(engine, "csrf.controle", "a.beheer") if e[0] == "geweigerd"]) == 2
    ok = web.post(
        "/beheer/organisaties",
        data={
            "csrf_token": csrf_of(web),
            "code": "GOOD",
            "naam": "Goed",
            "soort": "gemeente",
            "rechtsdomein": "bestuursrecht",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_api_tokens_work_for_scripts_without_csrf(web: TestClient, engine: Engine) -> None:
    login(web, "a.analist")
    page = web.post("/account/tokens", data={"csrf_token": csrf_of(web), "naam": "script", "dagen": "5"})
    import re

    secret = re.search(r'id="nieuw-token">(plein_[^<]+)<', page.text)
    assert secret
    web.cookies.clear()
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    listing = web.get("/v1/registraties", headers=headers)
    assert listing.status_code == 200 and listing.json()["totaal"] == 2  # ODA intern + vertrouwelijk
    bad = web.get("/v1/registraties", headers={"Authorization": "Bearer plein_nietsgeldigs"})
    assert bad.status_code == 401 and bad.headers["WWW-Authenticate"].startswith("Bearer")


def test_traceparent_is_accepted_and_propagated(web: TestClient, engine: Engine) -> None:
    login(web, "a.analist")
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    response = web.get("/v1/registraties", headers={"traceparent": parent})
    assert response.status_code == 200
    assert response.headers["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c-")
    with Session(engine) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.trace_id == "0af7651916cd43dd8448eb211c80319c"))
        names = {e.name for e in entries}
    assert "registraties.lezen" in names
    junk = web.get("/v1/registraties", headers={"traceparent": "00-zzzz-1-01"})
    assert junk.status_code == 200 and "0af7651916cd43dd8448eb211c80319c" not in junk.headers["traceparent"]


@pytest.mark.parametrize("value", ["1' OR '1'='1", "samenwerking:1; DROP TABLE record", "toezicht--", "%00"])
def test_sql_metacharacters_in_parameters_are_refused_cleanly(web: TestClient, value: str) -> None:
    login(web, "a.analist")
    for params in ({"doel": value}, {"thema": value}, {"soort": value}):
        response = web.get("/v1/registraties", params=params)
        assert "Traceback" not in response.text
        if response.status_code == 200:  # harmless as a value (e.g. "toezicht--" as a theme): matches nothing
            assert response.json()["totaal"] == 0, params
        else:
            assert response.status_code in (400, 403), (params, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    assert web.get(f"/v1/registraties/{value}").status_code in (400, 404)
    assert web.get("/audit/betrokkene", params={"id": value}).status_code == 403  # analist: not the FG


# ---------------------------------------------------------------- sessions and tokens follow the account
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


def _add_account(web: TestClient, username: str, org: str, clearance: str) -> httpx.Response:
    """Create an analist account through the beheer form."""
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


def test_a_beheerder_manages_only_accounts_of_its_own_organisation_within_its_clearance(
    web: TestClient, engine: Engine, world: World
) -> None:
    login(web, "a.beheer")  # ODA, clearance intern
    page = web.get("/beheer")
    assert "a.analist" in page.text and "b.analist" not in page.text  # ODB's accounts are not listed
    assert 'value="ODB"' not in page.text

    def add(username: str, org: str, clearance: str) -> httpx.Response:
        return _add_account(web, username, org, clearance)

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
    response = _add_account(web, "platform.gemaakt", "ODB", "geheim")
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
        for n in range(ADDRESS_MAX_FAILURES):
            spoofed = {"X-Forwarded-For": f"10.9.{n}.1"}
            assert _login_attempt(client, f"spray{n}", "x" * 12, **spoofed).status_code == 401
        assert _login_attempt(client, "spray", "x" * 12, **{"X-Forwarded-For": "10.9.99.1"}).status_code == 429
    trusted = Settings(trusted_proxies="127.0.0.1")
    app = create_app(engine, Settings(var_dir=tmp_path / "var"))
    with live_server(app, **proxy_options(trusted)) as base, httpx.Client(base_url=base) as client:
        for n in range(ADDRESS_MAX_FAILURES + 1):  # behind the trusted proxy, each forwarded address counts apart
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

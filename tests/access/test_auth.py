"""Accounts, login throttling, sessions, CSRF and tokens: each attack refused with a clear message, and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditActor, AuditEntry
from plein.auth.accounts import MAX_FAILURES, LoginFailed, authenticate
from plein.auth.models import ApiToken, UserAccount, WebSession
from plein.auth.sessions import IDLE, load_session, start_session
from plein.auth.tokens import issue_token, token_user
from plein.core.models import utcnow
from plein.errors import ValidationError
from plein.settings import Settings
from plein.web.app import create_app
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

"""Beheer of one account: change role and clearance, reset the password, deactivate; CSRF, audited,
the account's open sessions end, a mistake shown beside its field."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditActor, AuditEntry
from plein.auth.accounts import create_user
from plein.auth.models import UserAccount
from plein.core.models import Organisation
from plein.settings import Settings
from plein.web.app import create_app
from tests.access.world import PASSWORD, World, csrf_of, login


@pytest.fixture
def web(shared_world: tuple[Engine, World], settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(shared_world[0], settings), base_url="https://testserver") as client:
        yield client


def _new_user(engine: Engine, username: str) -> int:
    with Session(engine) as session:
        org = session.scalars(select(Organisation).where(Organisation.code == "ODA")).one()
        user = create_user(
            session, username=username, password=PASSWORD, organisation_id=org.id, role="analist", clearance="intern"
        )
        session.commit()
        return user.id


def _audited(engine: Engine, name: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(AuditEntry.object_id)
                .join(AuditActor, AuditActor.id == AuditEntry.actor_id)
                .where(AuditEntry.name == name, AuditActor.username == "a.beheer")
            )
        )


def test_beheerder_changes_role_and_clearance_resets_password_and_deactivates(
    web: TestClient, shared_world: tuple[Engine, World]
) -> None:
    engine = shared_world[0]
    user_id = _new_user(engine, "c.wissel")
    other = TestClient(web.app, base_url="https://testserver")
    login(other, "c.wissel")  # an open session that must end with the change
    assert other.get("/account").status_code == 200

    login(web, "a.beheer")
    assert f'href="/beheer/gebruikers/{user_id}"' in web.get("/beheer").text
    page = web.get(f"/beheer/gebruikers/{user_id}")
    assert page.status_code == 200 and "c.wissel" in page.text
    token = csrf_of(web)

    forged = web.post(f"/beheer/gebruikers/{user_id}/rol", data={"rol": "inspecteur", "rubricering": "geheim"})
    assert forged.status_code == 403
    wrong = web.post(
        f"/beheer/gebruikers/{user_id}/rol", data={"csrf_token": token, "rol": "systeem", "rubricering": "openbaar"}
    )
    assert wrong.status_code == 400 and 'id="rol-fout"' in wrong.text and 'name="rol"' in wrong.text
    above_own = web.post(  # a.beheer reads up to intern: she never hands out more
        f"/beheer/gebruikers/{user_id}/rol", data={"csrf_token": token, "rol": "inspecteur", "rubricering": "geheim"}
    )
    assert above_own.status_code == 403
    changed = web.post(
        f"/beheer/gebruikers/{user_id}/rol", data={"csrf_token": token, "rol": "inspecteur", "rubricering": "openbaar"}
    )
    assert changed.status_code == 200 and 'id="melding"' in changed.text
    with Session(engine) as session:
        user = session.get(UserAccount, user_id)
        assert user is not None and (user.role, user.clearance) == ("inspecteur", "openbaar")
    assert other.get("/account", follow_redirects=False).status_code == 303  # the old session ended
    assert "c.wissel" in _audited(engine, "beheer.gebruiker.rol-wijzigen")

    short = web.post(f"/beheer/gebruikers/{user_id}/wachtwoord", data={"csrf_token": token, "wachtwoord": "kort"})
    assert short.status_code == 400 and re.search(r'id="wachtwoord-fout">[^<]*12 tekens', short.text)
    new_password = "een-heel-nieuw-wachtwoord"
    reset = web.post(f"/beheer/gebruikers/{user_id}/wachtwoord", data={"csrf_token": token, "wachtwoord": new_password})
    assert reset.status_code == 200
    assert "c.wissel" in _audited(engine, "beheer.gebruiker.wachtwoord-instellen")
    login(other, "c.wissel", new_password)

    off = web.post(f"/beheer/gebruikers/{user_id}/status", data={"csrf_token": token, "actie": "deactiveren"})
    assert off.status_code == 200
    with Session(engine) as session:
        assert session.get(UserAccount, user_id).active is False  # type: ignore[union-attr]


def test_others_may_not_manage_accounts(web: TestClient, shared_world: tuple[Engine, World]) -> None:
    login(web, "a.analist")
    assert web.get("/beheer/gebruikers/1").status_code == 403
    token = csrf_of(web)
    refused = web.post("/beheer/gebruikers/1/wachtwoord", data={"csrf_token": token, "wachtwoord": "x" * 20})
    assert refused.status_code == 403


def test_unknown_user_is_404(web: TestClient) -> None:
    login(web, "a.beheer")
    assert web.get("/beheer/gebruikers/999999").status_code == 404


def test_another_organisations_account_answers_as_missing(web: TestClient, shared_world: tuple[Engine, World]) -> None:
    """A beheerder of ODA neither sees nor changes an account of ODB: the same 404 as a missing one."""
    engine = shared_world[0]
    with Session(engine) as session:
        other_id = session.scalars(select(UserAccount.id).where(UserAccount.username == "lock.me")).one()
        before = session.get(UserAccount, other_id)
        assert before is not None
        role, clearance, password_hash = before.role, before.clearance, before.password_hash
    login(web, "a.beheer")
    token = csrf_of(web)
    assert web.get(f"/beheer/gebruikers/{other_id}").status_code == 404
    changed = web.post(
        f"/beheer/gebruikers/{other_id}/rol", data={"csrf_token": token, "rol": "analist", "rubricering": "openbaar"}
    )
    assert changed.status_code == 404
    reset = web.post(f"/beheer/gebruikers/{other_id}/wachtwoord", data={"csrf_token": token, "wachtwoord": "x" * 20})
    assert reset.status_code == 404
    with Session(engine) as session:
        after = session.get(UserAccount, other_id)
        assert after is not None and (after.role, after.clearance, after.password_hash) == (
            role,
            clearance,
            password_hash,
        )

"""Volglijst: follow a dossier, see what is new since the last visit, never what the gate refuses."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditEntry
from plein.auth.demo import demo_password
from plein.auth.models import UserAccount
from plein.core.models import Establishment, Inspection, LegalEntity, LegalEntityLink, Organisation, Record
from plein.follow.models import FollowItem
from plein.settings import Settings
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade
from plein.web.app import create_app
from tests.databases import BACKENDS, fresh_database
from tests.search.helpers import visible

SEED = 7
ANALIST = "od-nzkg.analist"


@dataclass
class World:
    engine: Engine
    client: TestClient
    establishment_id: int
    kvk: str
    own_org: int
    other_org: int


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A demo world of its own (these tests write records), and a browser-like session of the analist."""
    from plein.demo.seed import seed_demo_world

    directory = tmp_path_factory.mktemp(f"follow-{request.param}")
    with fresh_database(request.param, directory) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        seed_demo_world(engine, size="small", seed=SEED, out_dir=directory / "demo")
        establishments, _records = visible(engine, ANALIST, "toezicht")
        with Session(engine) as session:
            user = session.scalars(select(UserAccount).where(UserAccount.username == ANALIST)).one()
            other = session.scalars(select(Organisation.id).where(Organisation.code == "DCMR")).one()
            est = session.scalars(
                select(Establishment)
                .join(LegalEntity, Establishment.legal_entity_id == LegalEntity.id)
                .where(Establishment.id.in_(establishments), LegalEntity.kvk.is_not(None))
                .order_by(Establishment.id)
            ).first()
            assert est is not None and est.legal_entity is not None and est.legal_entity.kvk
            ids = (est.id, est.legal_entity.kvk, user.organisation_id, other)
        app = create_app(engine, Settings(var_dir=directory / "var"))
        client = TestClient(app, base_url="https://testserver")
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inloggen").text)
        assert token
        response = client.post(
            "/inloggen",
            data={"gebruikersnaam": ANALIST, "wachtwoord": demo_password(ANALIST, SEED), "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        yield World(engine, client, *ids)
        engine.dispose()


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _add_record(world: World, organisation_id: int, key: str, *, kvk_only: bool = False) -> int:
    with Session(world.engine) as session, session.begin():
        record = Inspection(
            establishment_id=None if kvk_only else world.establishment_id,
            reported_kvk=world.kvk,
            theme_code="afval",
            confidentiality="intern",
            occurred_on=dt.date.today(),
            source_organisation_id=organisation_id,
            source_system="test",
            source_key=key,
            findings="",
            outcome="geen_overtreding",
            severity="geen",
        )
        session.add(record)
        session.flush()
        return record.id


def _row(page: str, text: str) -> str:
    rows = [r for r in re.findall(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", page, re.S) if text in r]
    assert len(rows) == 1, (text, rows)
    return rows[0]


def _new(page: str, text: str) -> int:
    found = re.search(
        r'<strong>(\d+) nieuw</strong> sinds <span class="plein-nowrap">(\d\d-\d\d-\d{4} \d\d:\d\d)</span>',
        _row(page, text),
    )
    assert found, _row(page, text)
    return int(found.group(1))


def _names(engine: Engine, since: int) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry.name).where(AuditEntry.seq > since)).all())


def _last_seq(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0)


def test_follow_new_record_invisible_record_and_unfollow(world: World) -> None:
    client = world.client
    dossier = client.get(f"/dossier/{world.establishment_id}")
    assert dossier.status_code == 200 and 'id="volgen">Volgen</button>' in dossier.text
    before = _last_seq(world.engine)
    response = client.post(
        "/volglijst?doel=toezicht",
        data={
            "csrf_token": _csrf(dossier.text),
            "soort": "vestiging",
            "waarde": str(world.establishment_id),
            "terug": f"/dossier/{world.establishment_id}?doel=toezicht",
        },
        follow_redirects=False,
    )
    assert (
        response.status_code == 303
        and response.headers["location"] == f"/dossier/{world.establishment_id}?doel=toezicht"
    )
    assert "volglijst.volgen" in _names(world.engine, before)
    assert 'id="volgen">Niet meer volgen</button>' in client.get(response.headers["location"]).text

    # First visit: nothing is new yet; opening the volglijst makes this visit the last one.
    page = client.get("/volglijst").text
    assert _new(page, f"/dossier/{world.establishment_id}") == 0
    # A record of her own organisation (and one reported with the company's KvK number only) is new;
    # a record of another organisation that was never shared with her is never counted.
    _add_record(world, world.own_org, "volg-eigen")
    _add_record(world, world.own_org, "volg-kvk", kvk_only=True)
    hidden = _add_record(world, world.other_org, "volg-ander")
    before = _last_seq(world.engine)
    page = client.get("/volglijst").text
    assert _new(page, f"/dossier/{world.establishment_id}") == 2
    assert "2 registraties" in _row(page, f"/dossier/{world.establishment_id}")
    assert "volglijst.bekijken" in _names(world.engine, before)
    # The visit is remembered: the next one shows nothing new, and the hidden record stays uncounted.
    page = client.get("/volglijst").text
    assert _new(page, f"/dossier/{world.establishment_id}") == 0
    with Session(world.engine) as session, session.begin():
        record = session.get(Record, hidden)
        assert record is not None
        record.received_at = record.received_at + dt.timedelta(days=1)  # still newer than the visit
    assert _new(client.get("/volglijst").text, f"/dossier/{world.establishment_id}") == 0

    with Session(world.engine) as session:
        item_id = session.scalars(select(FollowItem.id).where(FollowItem.value == str(world.establishment_id))).one()
    before = _last_seq(world.engine)
    response = client.post(
        f"/volglijst/{item_id}/verwijderen?doel=toezicht", data={"csrf_token": _csrf(page)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/volglijst")
    assert "volglijst.ontvolgen" in _names(world.engine, before)
    assert f"/dossier/{world.establishment_id}" not in client.get("/volglijst").text
    # Another user's item, or one that is gone, answers like an item that never existed.
    again = client.post(f"/volglijst/{item_id}/verwijderen", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert again.status_code == 404


def test_follow_kvk_number_sees_a_successor(world: World) -> None:
    client = world.client
    page = client.get("/volglijst").text
    response = client.post(
        "/volglijst", data={"csrf_token": _csrf(page), "soort": "kvk", "waarde": world.kvk}, follow_redirects=False
    )
    assert response.status_code == 303
    assert _new(client.get("/volglijst").text, f"KvK {world.kvk}") == 0
    with Session(world.engine) as session, session.begin():
        entity = session.scalars(select(LegalEntity).where(LegalEntity.kvk == world.kvk)).one()
        successor = session.scalars(
            select(LegalEntity)
            .where(LegalEntity.id != entity.id, LegalEntity.kvk.is_not(None))
            .order_by(LegalEntity.id)
        ).first()
        assert successor is not None
        session.add(
            LegalEntityLink(
                kind="opvolging",
                from_legal_entity_id=entity.id,
                to_legal_entity_id=successor.id,
                started_on=dt.date.today(),
                reason="fusie",
                source_organisation_id=entity.source_organisation_id,
                source_system="test",
                source_key="volg-opvolging",
            )
        )
        successor_name = successor.name
    try:
        page = client.get("/volglijst").text
        row = _row(page, f"KvK {world.kvk}")
        assert _new(page, f"KvK {world.kvk}") >= 1 and f"opvolger: {successor_name}" in row.replace("&amp;", "&")
    finally:
        with Session(world.engine) as session, session.begin():
            session.execute(delete(LegalEntityLink).where(LegalEntityLink.source_key == "volg-opvolging"))


def test_bad_input_keeps_the_form_with_the_message_beside_the_field(world: World) -> None:
    client = world.client
    page = client.get("/volglijst").text
    response = client.post("/volglijst", data={"csrf_token": _csrf(page), "soort": "adres", "waarde": "12 AB"})
    assert response.status_code == 400
    assert 'id="volg-waarde-fout"' in response.text and "postcode en huisnummer" in response.text
    assert 'value="12 AB"' in response.text
    response = client.post(
        "/volglijst", data={"csrf_token": _csrf(page), "soort": "adres", "waarde": "3825 sk 22"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "3825 SK 22" in client.get("/volglijst").text
    # Without the CSRF token nothing is followed.
    assert client.post("/volglijst", data={"soort": "kvk", "waarde": "12345678"}).status_code == 403
    # An establishment she may not see cannot be followed (404, as if it did not exist).
    missing = client.post("/volglijst", data={"csrf_token": _csrf(page), "soort": "vestiging", "waarde": str(10**12)})
    assert missing.status_code == 404


def test_roles_without_records_cannot_use_the_volglijst(world: World) -> None:
    client = TestClient(world.client.app, base_url="https://testserver")
    username = "od-nzkg.beleidsmedewerker"
    token = _csrf(client.get("/inloggen").text)
    client.post(
        "/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": demo_password(username, SEED), "csrf_token": token},
    )
    assert client.get("/volglijst").status_code == 403

"""Only a source's own organisation imports into it, corrects its quarantine, or sees its quarantined rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.keys import audit_keys
from plein.audit.models import AuditActor, AuditEntry
from plein.audit.query import for_subject
from plein.auth.accounts import actor_for, create_user
from plein.auth.models import UserAccount
from plein.auth.tokens import issue_token
from plein.core.models import Inspection, Organisation, Record
from plein.ingest.importer import import_file, reprocess_quarantined
from plein.ingest.models import IngestSource, QuarantinedRow
from plein.policy.errors import Refused
from plein.policy.roles import Actor
from plein.settings import Settings
from plein.web.app import create_app
from tests.ingest.helpers import HEADER, add_organisations, csv_rows, test_source

BAD_ROW = "Z-BAD;99-99-2024;Geheime Vennootschap B.V.;87654321;1234 AB;1;GO;0;lekkage gevonden"
TAMPERED = "Z-000001;01-03-2024;Bedrijf 1 B.V.;10000001;1234 AB;2;GO;0;herschreven door een ander"


@dataclass
class World:
    engine: Engine
    source: str
    tokens: dict[str, str]
    actors: dict[str, Actor]
    quarantine_id: int


def _account(engine: Engine, username: str, org_code: str, role: str) -> tuple[str, Actor]:
    with Session(engine) as session, session.begin():
        org = session.scalars(select(Organisation).where(Organisation.code == org_code)).one()
        user = create_user(session, username=username, password=None, organisation_id=org.id, role=role)
        secret, _ = issue_token(session, user, "test")
    with Session(engine) as session:
        account = session.scalars(select(UserAccount).where(UserAccount.username == username)).one()
        return secret, actor_for(account)


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    source = test_source(engine)
    add_organisations(engine, "ANDER-OD")
    path = tmp_path / "export.csv"
    path.write_text("\n".join([HEADER, *csv_rows(3), BAD_ROW]) + "\n", encoding="utf-8")
    summary = import_file(engine, source, path)
    assert (summary.rows_new, summary.rows_quarantined) == (3, 1)
    tokens, actors = {}, {}
    for name, org in (("eigen", "TEST-OD"), ("ander", "ANDER-OD")):
        tokens[name], actors[name] = _account(engine, f"{name}.beheerder", org, "beheerder")
    with Session(engine) as session:
        quarantine_id = session.scalars(select(QuarantinedRow.id)).one()
    return World(engine, source, tokens, actors, quarantine_id)


def _findings(engine: Engine, key: str = "Z-000001") -> str:
    with Session(engine) as session:
        record = session.scalars(select(Record).where(Record.source_key == key)).one()
        return str(session.get(Inspection, record.id).findings)  # type: ignore[union-attr]


def _open_quarantine(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.scalars(select(QuarantinedRow).where(QuarantinedRow.status == "open")).all())


def test_service_refuses_an_import_and_a_correction_by_another_organisation(world: World, tmp_path: Path) -> None:
    path = tmp_path / "een-regel.csv"
    path.write_text(f"{HEADER}\n{TAMPERED}\n", encoding="utf-8")
    with pytest.raises(Refused, match="andere organisatie"):
        import_file(world.engine, world.source, path, actor=world.actors["ander"])
    assert _findings(world.engine) == "bevinding 1"
    with pytest.raises(Refused, match="andere organisatie"):
        reprocess_quarantined(
            world.engine, world.quarantine_id, {"Zaak": "Z-000001", "Datum": "01-03-2024"}, actor=world.actors["ander"]
        )
    assert _findings(world.engine) == "bevinding 1" and _open_quarantine(world.engine) == 1
    with Session(world.engine) as session:
        refusals = session.execute(
            select(AuditEntry.name, AuditActor.username).join(AuditActor).where(AuditEntry.status == "geweigerd")
        ).all()
    assert sorted(refusals) == [("bron.importeren", "ander.beheerder"), ("quarantaine.herverwerken", "ander.beheerder")]
    summary = import_file(world.engine, world.source, path, actor=world.actors["eigen"])
    assert summary.rows_updated == 1 and _findings(world.engine) == "herschreven door een ander"
    status = reprocess_quarantined(
        world.engine, world.quarantine_id, {"Datum": "02-03-2024"}, actor=world.actors["eigen"]
    )
    assert status == "verwerkt" and _open_quarantine(world.engine) == 0


@pytest.fixture
def app_client(world: World, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(world.engine, settings)) as client:
        yield client


def test_web_refuses_another_organisations_beheerder(world: World, app_client: TestClient) -> None:
    client = app_client
    client.headers["Authorization"] = f"Bearer {world.tokens['ander']}"
    content = f"{HEADER}\n{TAMPERED}\n".encode()
    upload = client.post(f"/bronnen/{world.source}/imports", files={"bestand": ("x.csv", content, "text/csv")})
    assert upload.status_code == 403 and "andere organisatie" in upload.text
    again = client.post(f"/bronnen/{world.source}/quarantaine/{world.quarantine_id}", data={"veldZaak": "Z-000001"})
    assert again.status_code == 403
    mapping = client.post(f"/bronnen/{world.source}/mapping", data={"mapping_yaml": "name: x"})
    assert mapping.status_code == 403
    takeover = client.post(
        "/bronnen", data={"code": world.source, "organisatie": "ANDER-OD", "systeem": "Squit XO", "mapping": "x"}
    )
    assert takeover.status_code == 403
    foreign = client.post(
        "/bronnen", data={"code": "nieuw", "organisatie": "TEST-OD", "systeem": "Squit XO", "mapping": "x"}
    )
    assert foreign.status_code == 403
    assert _findings(world.engine) == "bevinding 1" and _open_quarantine(world.engine) == 1
    with Session(world.engine) as session:
        source = session.scalars(select(IngestSource).where(IngestSource.code == world.source)).one()
        assert source.organisation.code == "TEST-OD"

    page = client.get(f"/bronnen/{world.source}")
    assert page.status_code == 200
    assert "Geheime Vennootschap" not in page.text and "87654321" not in page.text
    assert "1 open quarantaineregels" in page.text and 'name="bestand"' not in page.text
    api = client.get(f"/v1/bronnen/{world.source}")
    assert api.status_code == 200 and "Geheime Vennootschap" not in api.text and "87654321" not in api.text


def test_own_beheerder_sees_quarantine_audited_with_its_subjects(world: World, app_client: TestClient) -> None:
    client = app_client
    client.headers["Authorization"] = f"Bearer {world.tokens['eigen']}"
    page = client.get(f"/bronnen/{world.source}")
    assert page.status_code == 200 and "Geheime Vennootschap" in page.text and "87654321" in page.text
    with Session(world.engine) as session:
        entries = for_subject(session, audit_keys(), "kvk", "87654321")
    assert [(e.username, e.status) for e in entries] == [("eigen.beheerder", "ok")]
    assert "Regels in bestand" in page.text  # the file's own line count beside the rows read
    run = client.get(f"/v1/bronnen/{world.source}").json()["imports"][0]
    assert (run["bestandsregels"], run["bestandsregelsVerwerkt"], run["regelsIn"], run["status"]) == (
        5,
        5,
        4,
        "voltooid",
    )
    fixed = client.post(
        f"/bronnen/{world.source}/quarantaine/{world.quarantine_id}",
        data={"veldDatum": "02-03-2024", "veldZaak": "Z-BAD"},
    )
    assert fixed.status_code == 200 and "Regel opgeslagen" in fixed.text
    assert _open_quarantine(world.engine) == 0
    content = f"{HEADER}\n{TAMPERED}\n".encode()
    upload = client.post(f"/bronnen/{world.source}/imports", files={"bestand": ("x.csv", content, "text/csv")})
    assert upload.status_code == 200
    assert _findings(world.engine) == "herschreven door een ander"

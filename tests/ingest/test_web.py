"""Web pages and API of ingest and review: a beheerder registers, uploads and reads the quality report."""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from plein.auth.accounts import create_user
from plein.auth.tokens import issue_token
from plein.core.models import Organisation
from plein.ingest.models import IngestRun
from plein.settings import Settings
from plein.web.app import create_app
from tests.ingest.helpers import HEADER, TEST_MAPPING, add_organisations, csv_rows


def _token(engine: Engine, username: str, role: str) -> str:
    with Session(engine) as session, session.begin():
        org = session.scalars(select(Organisation).where(Organisation.code == "TEST-OD")).one()
        user = create_user(session, username=username, password=None, organisation_id=org.id, role=role)
        secret, _ = issue_token(session, user, "test")
    return secret


def test_beheerder_registers_uploads_and_sees_quality(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    add_organisations(engine, "TEST-OD")
    admin = _token(engine, "t.beheer", "beheerder")
    analist = _token(engine, "t.analist", "analist")
    with TestClient(create_app(engine, settings)) as client:
        client.headers["Authorization"] = f"Bearer {admin}"
        page = client.post(
            "/bronnen",
            data={"code": "web-od", "organisatie": "TEST-OD", "systeem": "Squit XO", "mapping_yaml": TEST_MAPPING},
            follow_redirects=False,
        )
        assert page.status_code == 303, page.text
        bad = client.post(
            "/bronnen",
            data={"code": "kapot", "organisatie": "TEST-OD", "systeem": "X", "mapping_yaml": "name: x\nformat: pdf"},
        )
        assert bad.status_code == 400 and "mapping van bron kapot" in bad.text
        content = "\n".join([HEADER, *csv_rows(20), "Z-X;99-99-2024;Fout;;1234 AB;1;GO;0;x"]).encode()
        upload = client.post("/bronnen/web-od/imports", files={"bestand": ("export.csv", content, "text/csv")})
        assert upload.status_code == 200  # followed the redirect to the source page, import done in the background
        assert "Bron web-od" in upload.text
        detail = client.get("/bronnen/web-od")
        assert "99-99-2024" in detail.text and "past niet op" in detail.text
        quality = client.get("/v1/bronnen/web-od/kwaliteit").json()
        assert (quality["regels_in"], quality["opgeslagen"], quality["quarantaine"]) == (21, 20, 1)
        completeness = {f["veld"]: f["volledigheid"] for f in quality["velden"]}
        assert completeness["KvK-nummer"] == 1.0 and completeness["naam"] == 1.0
        runs = client.get("/v1/bronnen/web-od").json()["imports"]
        assert runs[0]["status"] == "voltooid" and runs[0]["regelsIn"] == 21
        with Session(engine) as session, session.begin():  # as if this process were still importing the file
            session.execute(
                update(IngestRun).values(
                    status="bezig",
                    owner=f"{socket.gethostname()[:60]}:{os.getpid()}:test",
                    heartbeat_at=dt.datetime.now(dt.UTC),
                )
            )
        busy = client.post("/bronnen/web-od/imports", files={"bestand": ("export.csv", content, "text/csv")})
        assert busy.status_code == 409 and "wordt al ingelezen" in busy.text
        assert client.get("/v1/bronnen/web-od").json()["imports"][0]["status"] == "bezig"
        assert client.get("/taxonomie").status_code == 200
        assert client.get("/resolutie/wachtrij").status_code == 403  # a beheerder sees no case content

        client.headers["Authorization"] = f"Bearer {analist}"
        assert client.get("/v1/bronnen").status_code == 403
        queue = client.get("/v1/resolutie/wachtrij")
        assert queue.status_code == 200 and queue.json()["totaal"] == 0
        assert client.post("/v1/resolutie/koppelingen/999/beoordeling", json={"beslissing": "ja"}).status_code == 404
        assert client.get("/resolutie/wachtrij").status_code == 200

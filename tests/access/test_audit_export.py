"""The privacy officer exports the audit log viewer's list as CSV or XLSX: the filtered rows, labelled, audited."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.models import AuditEntry
from plein.settings import Settings
from plein.web import audit_pages
from plein.web.app import create_app
from tests.access.world import World, login


@pytest.fixture
def web(shared_world: tuple[Engine, World], settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(shared_world[0], settings), base_url="https://testserver") as client:
        login(client, "a.analist")
        assert client.get("/v1/registraties").status_code == 200
        login(client, "a.fg")
        yield client


def _exports(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.name == AuditAction.AUDIT_EXPORT.value)))


def test_csv_of_the_filtered_list_with_labels_and_audited(web: TestClient, shared_world: tuple[Engine, World]) -> None:
    engine, _ = shared_world
    before = len(_exports(engine))
    page = web.get("/audit", params={"handeling": "registraties.lezen"})
    assert 'id="logboek-csv" href="https://testserver/audit/export?handeling=registraties.lezen' in page.text
    answer = web.get("/audit/export", params={"handeling": "registraties.lezen", "formaat": "csv"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "plein-logboek-" in answer.headers["content-disposition"]
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeffRegel;Tijd;Handeling;Code van de handeling;Status;")
    lines = text.strip().splitlines()[1:]
    assert lines and all(f";{AuditAction.RECORDS_READ.description};registraties.lezen;" in line for line in lines)
    assert all(";a.analist;" in line for line in lines)
    assert all(";gelukt;" in line and ";ok;" not in line for line in lines)  # the status's label, not its code
    exports = _exports(engine)
    assert len(exports) == before + 1
    assert exports[-1].status == "ok"


def test_xlsx_has_one_sheet_with_a_header_and_the_rows(web: TestClient) -> None:
    answer = web.get("/audit/export", params={"handeling": "registraties.lezen", "formaat": "xlsx"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True)["Logboekregels"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Regel", "Tijd", "Handeling", "Code van de handeling")
    assert len(rows) > 1 and {row[3] for row in rows[1:]} == {"registraties.lezen"}


def test_more_rows_than_an_export_holds_is_refused_with_the_page_and_a_dutch_message(
    web: TestClient, shared_world: tuple[Engine, World], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_pages, "MAX_EXPORT_ROWS", 1)
    answer = web.get("/audit/export", params={"formaat": "csv"})
    assert answer.status_code == 400
    assert 'id="export-fout"' in answer.text and "Verfijn de filters" in answer.text
    assert 'id="gebruiker"' in answer.text  # the form stays
    assert _exports(shared_world[0])[-1].status == "geweigerd"


def test_only_the_privacy_officer_exports(web: TestClient) -> None:
    assert web.get("/audit/export", params={"formaat": "pdf"}).status_code == 400
    login(web, "a.analist")
    assert web.get("/audit/export", params={"formaat": "csv"}).status_code == 403

"""Evidence pages: scrubbed by default; the raw page only for evidence, with a reason in the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditActor, AuditEntry
from plein.auth.accounts import create_user
from plein.auth.tokens import issue_token
from plein.core.models import Organisation, Theme
from plein.settings import Settings
from plein.web.app import create_app
from plein.webwatch.evidence import EvidenceWriter, default_evidence_root
from plein.webwatch.models import WebCrawl, WebObservation, WebOffer, WebPage

PHONE = "06-41234567"
EMAIL = "jan.devries@voorbeeld.nl"
PAGE = f"""<!doctype html><html><head><title>R32 koudemiddel 9 kg</title></head><body>
<h1>R32 koudemiddel 9 kg, zonder certificaat</h1>
<p class="prijs">€ 89,00</p>
<div class="verkoper"><p>Verkoper: Jan de Vries</p><p>Bel {PHONE} of mail <a href="mailto:{EMAIL}">{EMAIL}</a></p></div>
<script>var tracking = "{PHONE}";</script>
</body></html>""".encode()
REASON = "Proces-verbaal 2026-17: bewijs van het aanbod vastleggen"


@dataclass
class Evidence:
    offer_id: int
    page_id: int
    clients: dict[str, TestClient]
    engine: Engine


@pytest.fixture
def evidence(engine: Engine, tmp_path: Path, lexicon_cached: None) -> Evidence:
    settings = Settings(var_dir=tmp_path / "var", secret_key="x" * 40)
    stored = EvidenceWriter(default_evidence_root(settings), "crawl-1").write(
        "https://shop.example/p/1", 200, [("Content-Type", "text/html; charset=utf-8")], PAGE, dt.datetime.now(dt.UTC)
    )
    tokens: dict[str, str] = {}
    with Session(engine) as session, session.begin():
        org = Organisation(code="ILT", name="ILT", kind="rijksinspectie", legal_domain="bestuursrecht")
        session.add_all([org, Theme(code="f-gassen", name="F-gassen")])
        session.flush()
        session.add(WebCrawl(id="crawl-1", themes=["f-gassen"], organisation_id=org.id))
        page = WebPage(
            crawl_id="crawl-1",
            url="https://shop.example/p/1",
            url_hash="h",
            status_code=200,
            content_type="text/html; charset=utf-8",
            content_hash=stored.content_hash,
            size=stored.size,
            warc_file=stored.warc_file,
            warc_offset=stored.offset,
        )
        session.add(page)
        session.flush()
        offer = WebOffer(
            theme_code="f-gassen",
            fingerprint="f",
            url=page.url,
            title="R32 koudemiddel 9 kg",
            source_organisation_id=org.id,
            source_system="webwatch",
            source_key="k1",
            last_page_id=page.id,
        )
        session.add(offer)
        session.flush()
        session.add(WebObservation(offer_id=offer.id, crawl_id="crawl-1", page_id=page.id))
        for username, role in (("ilt.inspecteur", "inspecteur"), ("ilt.analist", "analist")):
            user = create_user(session, username=username, password=None, organisation_id=org.id, role=role)
            tokens[username], _ = issue_token(session, user, "test")
        offer_id, page_id = offer.id, page.id
    clients = {}
    for username, secret in tokens.items():
        client = TestClient(create_app(engine, settings))
        client.headers["Authorization"] = f"Bearer {secret}"
        clients[username] = client
    return Evidence(offer_id, page_id, clients, engine)


def _entries(engine: Engine, name: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """(status, rule, details, user) of every action called ``name``, also when folded into a request's entry."""
    with Session(engine) as session:
        rows = session.execute(
            select(AuditEntry.name, AuditEntry.status, AuditEntry.rule, AuditEntry.details, AuditActor.username)
            .join(AuditActor, AuditActor.id == AuditEntry.actor_id)
            .order_by(AuditEntry.seq)
        ).all()
    found = []
    for entry_name, status, rule, details, username in rows:
        if entry_name == name:
            found.append((status, rule, details, username))
        found += [(status, rule, step, username) for step in details.get("handelingen", [])[1:] if step["naam"] == name]
    return found


def test_the_evidence_page_is_scrubbed_by_default(evidence: Evidence) -> None:
    for client in evidence.clients.values():
        page = client.get(f"/internettoezicht/aanbod/{evidence.offer_id}/bewijs/{evidence.page_id}")
        assert page.status_code == 200
        assert "R32 koudemiddel 9 kg, zonder certificaat" in page.text and "€ 89,00" in page.text
        for personal in (PHONE, EMAIL, "Jan de Vries", "tracking"):
            assert personal not in page.text, personal
        assert "[TELEFOON]" in page.text
    entries = _entries(evidence.engine, "webwatch.bewijs.lezen")
    assert [e[2]["weergave"] for e in entries] == ["geschoond", "geschoond"]


def test_the_raw_page_is_refused_without_the_evidence_purpose(evidence: Evidence) -> None:
    url = f"/internettoezicht/aanbod/{evidence.offer_id}/bewijs/{evidence.page_id}/onbewerkt"
    inspector, analyst = evidence.clients["ilt.inspecteur"], evidence.clients["ilt.analist"]
    own_task = inspector.post(url, data={"reden": REASON})
    assert own_task.status_code == 403 and PHONE not in own_task.text
    wrong_role = analyst.post(url, params={"doel": "bewijsvoering"}, data={"reden": REASON})
    assert wrong_role.status_code == 403 and PHONE not in wrong_role.text
    refusals = _entries(evidence.engine, "webwatch.bewijs.onbewerkt-lezen")
    assert [(e[0], e[1], e[3]) for e in refusals] == [("geweigerd", "doelbinding", "ilt.inspecteur")]
    assert [(e[0], e[1]) for e in _entries(evidence.engine, "doel.controleren")] == [("geweigerd", "doelbinding")]


def test_the_raw_page_needs_a_reason_which_is_audited(evidence: Evidence) -> None:
    url = f"/internettoezicht/aanbod/{evidence.offer_id}/bewijs/{evidence.page_id}/onbewerkt"
    inspector = evidence.clients["ilt.inspecteur"]
    offered = inspector.get(
        f"/internettoezicht/aanbod/{evidence.offer_id}/bewijs/{evidence.page_id}", params={"doel": "bewijsvoering"}
    )
    assert 'name="reden"' in offered.text and "onbewerkt?doel=bewijsvoering" in offered.text
    for short in ("", "omdat het moet"):
        response = inspector.post(url, params={"doel": "bewijsvoering"}, data={"reden": short})
        assert response.status_code == 400 and "Reden" in response.text and PHONE not in response.text
    raw = inspector.post(url, params={"doel": "bewijsvoering"}, data={"reden": REASON})
    assert raw.status_code == 200 and PHONE in raw.text and "Jan de Vries" in raw.text
    entries = _entries(evidence.engine, "webwatch.bewijs.onbewerkt-lezen")
    assert [(e[0], e[3], e[2]["reden"], e[2]["weergave"]) for e in entries] == [
        ("ok", "ilt.inspecteur", REASON, "onbewerkt")
    ]


def test_a_page_outside_the_offer_answers_as_missing_and_is_logged(evidence: Evidence) -> None:
    inspector = evidence.clients["ilt.inspecteur"]
    other = inspector.get(f"/internettoezicht/aanbod/{evidence.offer_id}/bewijs/{evidence.page_id + 99}")
    assert other.status_code == 404
    refusals = [e for e in _entries(evidence.engine, "webwatch.bewijs.lezen") if e[0] == "geweigerd"]
    assert [(e[1], e[3]) for e in refusals] == [("need-to-know", "ilt.inspecteur")]

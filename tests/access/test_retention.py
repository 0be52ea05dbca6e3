"""Storage limitation and DPIA: the retention job (in process and from the command line), the shared
links of ended collaborations, and the pages where a beheerder edits and the privacy officer reads."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditEntry
from plein.core.models import ImportBatch, Inspection, Record, Theme
from plein.errors import ValidationError
from plein.ingest.models import IngestRun, IngestSource, QuarantinedRow
from plein.policy.models import SharedRecord
from plein.retention.job import run_retention
from plein.retention.rules import current_rules, set_dpia, set_rule
from plein.settings import Settings
from plein.web.app import create_app
from plein.webwatch.evidence import EvidenceWriter, default_evidence_root
from plein.webwatch.models import WebCrawl, WebObservation, WebOffer, WebPage
from tests.access.world import World, build_world, login

TODAY = dt.date(2025, 3, 3)  # the world's records are of 1, 2 and 3 March 2025
OLD = dt.datetime(2024, 1, 10, tzinfo=dt.UTC)


@dataclass
class Setup:
    engine: Engine
    world: World
    settings: Settings
    old_file: Path
    new_file: Path


def _page(session: Session, writer: EvidenceWriter, crawl: str, url: str, fetched: dt.datetime) -> WebPage:
    stored = writer.write(url, 200, [("Content-Type", "text/html")], b"<p>Bel 06-41234567</p>", fetched)
    page = WebPage(
        crawl_id=crawl,
        url=url,
        url_hash=url,
        fetched_at=fetched,
        content_hash=stored.content_hash,
        warc_file=stored.warc_file,
        warc_offset=stored.offset,
    )
    session.add(page)
    session.flush()
    return page


@pytest.fixture
def setup(engine: Engine, tmp_path: Path) -> Setup:
    settings = Settings(var_dir=tmp_path / "var")
    root = default_evidence_root(settings)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session, with_passwords=("a.beheer", "a.fg"))
        ilt = world.orgs["ILT"]
        session.add(Theme(code="helmen", name="Helmen"))
        session.add_all([WebCrawl(id="oud", organisation_id=ilt), WebCrawl(id="nieuw", organisation_id=ilt)])
        session.flush()
        old_page = _page(session, EvidenceWriter(root, "oud"), "oud", "https://shop.example/oud", OLD)
        new_page = _page(
            session, EvidenceWriter(root, "nieuw"), "nieuw", "https://shop.example/nieuw", dt.datetime.now(dt.UTC)
        )
        for key, seen, page in (("oud", OLD, old_page), ("nieuw", dt.datetime.now(dt.UTC), new_page)):
            offer = WebOffer(
                theme_code="helmen",
                fingerprint=key,
                url=page.url,
                seller_name="Jan de Vries",
                source_organisation_id=ilt,
                source_system="webwatch",
                source_key=key,
                last_seen=seen,
            )
            session.add(offer)
            session.flush()
            session.add(WebObservation(offer_id=offer.id, crawl_id=page.crawl_id, page_id=page.id))
        batch = ImportBatch(organisation_id=world.orgs["ODA"], source_system="test", kind="import")
        source = IngestSource(code="oda-test", name="ODA test", organisation_id=world.orgs["ODA"], source_system="test")
        session.add_all([batch, source])
        session.flush()
        run = IngestRun(source_id=source.id, import_batch_id=batch.id, file_name="x.csv", file_sha256="0" * 64)
        session.add(run)
        session.flush()
        for number, created in ((1, OLD), (2, dt.datetime.now(dt.UTC))):
            session.add(
                QuarantinedRow(
                    run_id=run.id,
                    source_id=source.id,
                    row_number=number,
                    raw={"naam": "Jan de Vries"},
                    raw_hash=str(number),
                    reason="test",
                    created_at=created,
                )
            )
        session.commit()
    return Setup(engine, world, settings, root / old_page.warc_file, root / new_page.warc_file)


def _runs(engine: Engine) -> list[dict[str, object]]:
    with Session(engine) as session:
        return [
            e.details
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.name == "bewaartermijnen.uitvoeren").order_by(AuditEntry.seq)
            )
        ]


def test_the_job_removes_expired_rows_and_ended_shares_once_and_audits_the_counts(setup: Setup) -> None:
    engine, world = setup.engine, setup.world
    with Session(engine) as session:
        set_rule(session, kind="registraties", days=1, action="verwijderen", updated_by="a.beheer")
        set_rule(session, kind="webaanbod", days=365, action="verwijderen", updated_by="a.beheer")
        set_rule(session, kind="bewijs", days=365, action="verwijderen", updated_by="a.beheer")
        set_rule(session, kind="quarantaine", days=90, action="verwijderen", updated_by="a.beheer")
        session.commit()
        counts = run_retention(session, today=TODAY, settings=setup.settings)
    # Records of 1 March (one per organisation) expired; OUD ended in 2023, its ODB shares go.
    assert counts["registraties"] == 4 and counts["webaanbod"] == 1 and counts["quarantaine"] == 1
    assert counts["bewijspaginas"] == 1 and counts["bewijsbestanden"] == 1
    assert counts["gedeelde_koppelingen"] == 2  # ODB-vertrouwelijk, ODB-geheim (ODB-intern went with its record)
    with Session(engine) as session:
        left = set(session.scalars(select(Record.id)))
        assert not {world.records[f"{org}-intern"] for org in ("ODA", "ODB", "ILT", "POL")} & left
        assert world.records["ODA-vertrouwelijk"] in left
        assert session.scalar(select(func.count()).select_from(Inspection)) == len(left)
        assert not session.scalars(
            select(SharedRecord).where(SharedRecord.collaboration_id == world.collabs["OUD"])
        ).all()
        assert session.scalars(
            select(SharedRecord).where(SharedRecord.collaboration_id == world.collabs["TAFEL"])
        ).all()
        assert [o.source_key for o in session.scalars(select(WebOffer))] == ["nieuw"]
        assert [q.row_number for q in session.scalars(select(QuarantinedRow))] == [2]
        pages = {p.url: p.warc_offset for p in session.scalars(select(WebPage))}
        assert pages["https://shop.example/oud"] == -1 and pages["https://shop.example/nieuw"] >= 0
    assert not setup.old_file.exists() and setup.new_file.exists()
    with Session(engine) as session:
        again = run_retention(session, today=TODAY, settings=setup.settings)
    assert {k: v for k, v in again.items() if isinstance(v, int)} == dict.fromkeys(
        ("registraties", "webaanbod", "bewijspaginas", "bewijsbestanden", "quarantaine", "gedeelde_koppelingen"), 0
    )
    runs = _runs(engine)
    assert len(runs) == 2 and runs[0]["registraties"] == 4 and runs[0]["peildatum"] == "2025-03-03"


def test_pseudonymising_keeps_the_counts_and_removes_who_it_was_about(setup: Setup) -> None:
    engine, world = setup.engine, setup.world
    with Session(engine) as session:
        set_rule(session, kind="registraties", days=1, action="pseudonimiseren", updated_by="a.beheer")
        set_rule(session, kind="webaanbod", days=365, action="pseudonimiseren", updated_by="a.beheer")
        session.commit()
        before = session.scalar(select(func.count()).select_from(Record))
        counts = run_retention(session, today=TODAY, settings=setup.settings)
        assert counts["registraties"] == 4 and counts["webaanbod"] == 1
        assert session.scalar(select(func.count()).select_from(Record)) == before
        record = session.get(Inspection, world.records["ODA-intern"])
        assert record is not None
        assert (record.reported_name, record.reported_kvk, record.findings) == ("", "", "")
        assert record.outcome == "overtreding" and record.theme_code == "afval"
        kept = session.get(Inspection, world.records["ODA-vertrouwelijk"])
        assert kept is not None and kept.reported_name
        old = session.scalars(select(WebOffer).where(WebOffer.source_key == "oud")).one()
        assert (old.url, old.seller_name) == ("", "")
        assert run_retention(session, today=TODAY, settings=setup.settings)["registraties"] == 0


def test_rules_and_dpia_are_validated(engine: Engine) -> None:
    with Session(engine) as session:
        rules = current_rules(session)
        assert {k.value: (r.days, r.action.value) for k, r in rules.items()} == {
            "registraties": (2557, "pseudonimiseren"),
            "webaanbod": (730, "verwijderen"),
            "bewijs": (730, "verwijderen"),
            "quarantaine": (90, "verwijderen"),
        }
        for kind, days, action, message in (
            ("auditlog", 10, "verwijderen", "Soort gegevens"),
            ("bewijs", 10, "pseudonimiseren", "Handeling voor bewijs"),
            ("quarantaine", 0, "verwijderen", "Bewaartermijn"),
        ):
            with pytest.raises(ValidationError, match=message):
                set_rule(session, kind=kind, days=days, action=action, updated_by="b")
        with pytest.raises(ValidationError, match="referentie en een datum"):
            set_dpia(
                session, subject="verwerking:toezicht", status="afgerond", reference="", decided_on=None, updated_by="b"
            )
        with pytest.raises(ValidationError, match="geen bekende"):
            set_dpia(
                session,
                subject="verwerking:bestaat-niet",
                status="niet_gestart",
                reference="",
                decided_on=None,
                updated_by="b",
            )
        with pytest.raises(ValidationError, match="DPIA-status"):
            set_dpia(
                session, subject="verwerking:toezicht", status="klaar", reference="", decided_on=None, updated_by="b"
            )


def test_the_beheerder_edits_and_the_privacy_officer_reads(setup: Setup) -> None:
    with Session(setup.engine) as session:
        run_retention(session, today=TODAY, settings=setup.settings)
    knelpunt = setup.world.collabs["KNELPUNT"]
    with TestClient(create_app(setup.engine, setup.settings), base_url="https://testserver") as web:
        login(web, "a.beheer")
        page = web.get("/beheer/privacy")
        assert page.status_code == 200 and 'data-soort="registraties"' in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        csrf = token.group(1)
        bad = web.post(
            "/beheer/privacy/bewaartermijnen",
            data={"csrf_token": csrf, "soort": "bewijs", "dagen": "0", "handeling": "verwijderen"},
        )
        assert bad.status_code == 400 and "Bewaartermijn" in bad.text
        web.post(
            "/beheer/privacy/bewaartermijnen",
            data={"csrf_token": csrf, "soort": "bewijs", "dagen": "400", "handeling": "verwijderen"},
        )
        unfinished = web.post(
            "/beheer/privacy/dpia",
            data={"csrf_token": csrf, "onderwerp": f"samenwerking:{knelpunt}", "status": "afgerond"},
        )
        assert unfinished.status_code == 400 and "referentie en een datum" in unfinished.text
        done = web.post(
            "/beheer/privacy/dpia",
            data={
                "csrf_token": csrf,
                "onderwerp": f"samenwerking:{knelpunt}",
                "status": "afgerond",
                "referentie": "DPIA-2026-04 RIEC",
                "datum": "2026-02-01",
            },
            follow_redirects=False,
        )
        assert done.status_code == 303
        web.post(
            "/beheer/privacy/dpia",
            data={
                "csrf_token": csrf,
                "onderwerp": "verwerking:wgs-knelpunt",
                "status": "in_uitvoering",
                "referentie": "DPIA-2026-05",
            },
        )
        assert web.get("/audit/privacy").status_code == 403
        login(web, "a.fg")
        view = web.get("/audit/privacy")
        assert view.status_code == 200
        assert "DPIA-2026-04 RIEC" in view.text and "01-02-2026" in view.text and "in uitvoering" in view.text
        assert re.search(r'data-soort="bewijs">\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>400</td>', view.text)
        assert "registraties (pseudonimiseren)" in view.text  # the last run of the job
        assert 'action="/beheer/privacy' not in view.text  # read only
        assert web.get("/beheer/privacy").status_code == 403


def test_the_command_runs_from_cron_and_prints_the_counts(setup: Setup, database_url: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PLEIN_")}
    environment.update({"PLEIN_DATABASE_URL": database_url, "PLEIN_VAR_DIR": str(setup.settings.var_dir)})
    done = subprocess.run(
        [sys.executable, "-m", "plein", "retention", "run", "--as-of", "2025-03-03", "--json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)
    # The default rules: nothing of these ages but the old quarantined row; OUD's three shares go.
    assert counts["gedeelde_koppelingen"] == 3 and counts["quarantaine"] == 1 and counts["registraties"] == 0
    assert counts["bewijspaginas"] == 0 and setup.old_file.exists()
    bad = subprocess.run(
        [sys.executable, "-m", "plein", "retention", "run", "--as-of", "morgen"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert bad.returncode != 0 and bad.stderr.startswith("Fout:") and "--as-of" in bad.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "plein", "retention", "run", "--as-of", "2025-03-03"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0 and "toegepast op 03-03-2025: 0 registraties" in " ".join(shown.stdout.split())
    assert len(_runs(setup.engine)) == 2

"""Progress of long work: the estimate, and the /taken page reading the runs' stored counters."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.auth.models import UserAccount
from plein.cli.ingest import row_estimate
from plein.core.models import ImportBatch, Organisation
from plein.core.progress import Estimate, duration
from plein.ingest.models import IngestRun, IngestSource
from plein.resolve.models import ResolveRun
from plein.webwatch.models import WebCrawl, WebPage


def test_estimate_counts_rate_and_time_left() -> None:
    estimate = Estimate(250, 1000, 10.0)
    assert estimate.fraction == 0.25 and estimate.rate == 25 and estimate.remaining == 30
    assert estimate.describe() == "250 van 1.000 regels (25 %) · 25 per seconde · nog ongeveer 30 s · bezig sinds 10 s"
    unknown = Estimate(12_345, None, 100.0)
    assert unknown.fraction is None and unknown.remaining is None
    assert unknown.describe("pagina's").startswith("12.345 pagina's · 123 per seconde")
    assert Estimate(0, 10, 0.0).rate is None
    assert duration(200) == "3 min 20 s" and duration(3900) == "1 u 05 min"
    # An import of which a quarter of the bytes gave 500 rows will hold about 2.000.
    assert row_estimate(500, 250, 1000, 5.0).startswith(
        "500 van 2.000 regels (25 %) · 100 per seconde · nog ongeveer 15 s"
    )


def _own_org(engine: Engine) -> int:
    with Session(engine) as session:
        return int(
            session.scalars(select(UserAccount.organisation_id).where(UserAccount.username == "test.analist")).one()
        )


def _import(
    session: Session,
    organisation_id: int,
    code: str,
    status: str,
    rows: int,
    started: dt.datetime,
    *,
    file_size: int = 0,
    bytes_read: int | None = None,
) -> None:
    source = IngestSource(code=code, name=code, organisation_id=organisation_id, source_system="test")
    batch = ImportBatch(organisation_id=organisation_id, source_system="test", kind="import")
    session.add_all([source, batch])
    session.flush()
    session.add(
        IngestRun(
            source_id=source.id,
            import_batch_id=batch.id,
            file_name=f"{code}.csv",
            file_sha256="0" * 64,
            status=status,
            rows_in=rows,
            file_size=file_size,
            bytes_read=bytes_read,
            started_at=started,
            finished_at=None if status == "bezig" else started + dt.timedelta(seconds=20),
        )
    )


def test_tasks_page_shows_running_work_of_the_own_organisation(client: TestClient, engine: Engine) -> None:
    assert "Er loopt geen werk" in client.get("/taken").text
    own = _own_org(engine)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=20)
    with Session(engine) as session, session.begin():
        other = Organisation(code="ANDER", name="Ander", kind="omgevingsdienst", legal_domain="bestuursrecht")
        session.add(other)
        session.flush()
        _import(session, own, "eigen-bron", "bezig", 4000, started)
        _import(session, other.id, "andere-bron", "bezig", 99, started)
        session.add(WebCrawl(id="crawl-1", themes=["helmen"], organisation_id=own, started_at=started, status="bezig"))
        session.flush()
        for n in range(3):
            session.add(WebPage(crawl_id="crawl-1", url=f"https://shop.example/{n}", url_hash=str(n) * 64))
        session.add(
            ResolveRun(status="bezig", counts={"stap": 2, "stappen": 5, "fase": "Gegevens lezen"}, started_at=started)
        )
    page = client.get("/taken")
    assert page.status_code == 200
    text = page.text
    assert "eigen-bron: eigen-bron.csv" in text and "andere-bron" not in text
    assert "4.000 regels" in text and "per seconde" in text
    assert "3 pagina&#39;s" in text or "3 pagina's" in text
    assert "2 van 5 stappen (40 %)" in text and "nog ongeveer" in text and 'value="40"' in text
    assert "Entiteitsresolutie (duckdb): Gegevens lezen" in text
    fragment = client.get("/taken/voortgang")
    assert fragment.status_code == 200 and 'hx-trigger="every 3s"' in fragment.text and "<html" not in fragment.text
    # Once nothing runs, the list stops polling.
    with Session(engine) as session, session.begin():
        for run in session.scalars(select(IngestRun)).all():
            run.status = "voltooid"
            run.finished_at = run.started_at + dt.timedelta(seconds=20)
        crawl = session.get(WebCrawl, "crawl-1")
        assert crawl is not None
        crawl.status, crawl.finished_at = "klaar", started + dt.timedelta(seconds=10)
        for resolution in session.scalars(select(ResolveRun)).all():
            resolution.status, resolution.finished_at = "voltooid", started + dt.timedelta(seconds=5)
    fragment = client.get("/taken/voortgang").text
    assert "hx-trigger" not in fragment and "Voltooid" in fragment and 'value="100"' in fragment


def test_a_running_import_shows_its_share_of_the_file_and_the_time_left(client: TestClient, engine: Engine) -> None:
    """A quarter of the bytes read gave 1.000 rows: the file holds about 4.000, a determinate bar at 25 %."""
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)
    with Session(engine) as session, session.begin():
        _import(session, _own_org(engine), "groot", "bezig", 1000, started, file_size=80_000, bytes_read=20_000)
    text = client.get("/taken/voortgang").text
    assert "1.000 van 4.000 regels (25 %)" in text and 'value="25"' in text
    assert "nog ongeveer" in text and "per seconde" in text

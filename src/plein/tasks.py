"""Long work as a status page reads it: imports, crawls and resolution runs with their stored counters.

Each kind of run already keeps its counters in the database (an import's rows and checkpoint, a
crawl's fetched pages, a resolution run's step), so a page that was left can be found again and
polled; nothing here runs work, it only reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plein.core.progress import Estimate, rows_at_density
from plein.ingest.models import IngestRun, IngestSource
from plein.resolve.models import ResolveRun
from plein.resolve.service import RESOLUTION_STEPS
from plein.webwatch.models import WebCrawl, WebPage

RUNNING = frozenset({"bezig"})
LIMIT = 10


@dataclass(frozen=True, slots=True)
class Task:
    """One run: what it is, how far it is, and its state in Dutch."""

    kind: str
    title: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    estimate: Estimate
    unit: str

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def percent(self) -> int | None:
        fraction = self.estimate.fraction
        return None if fraction is None else round(fraction * 100)


def _estimate(done: int, total: int | None, started: dt.datetime, finished: dt.datetime | None) -> Estimate:
    """Measured up to the end of a finished run, up to now for one that runs."""
    if finished is not None and finished.tzinfo is None:
        finished = finished.replace(tzinfo=dt.UTC)
    return Estimate.since(done, total, started, finished)


def recent_tasks(session: Session, organisation_id: int, limit: int = LIMIT) -> list[Task]:
    """The latest imports and crawls of the organisation and the latest resolution runs, newest first."""
    tasks: list[Task] = []
    imports = session.execute(
        select(IngestRun, IngestSource.code)
        .join(IngestSource, IngestRun.source_id == IngestSource.id)
        .where(IngestSource.organisation_id == organisation_id)
        .order_by(IngestRun.started_at.desc())
        .limit(limit)
    ).all()
    for run, code in imports:
        # a running import: the rows its file will hold at the density of the bytes read so far
        total = rows_at_density(run.rows_in, run.bytes_read, run.file_size) if run.bytes_read else None
        if run.status not in RUNNING:
            total = run.rows_in
        tasks.append(
            Task(
                "Import",
                f"{code}: {run.file_name}",
                run.status,
                run.started_at,
                run.finished_at,
                _estimate(run.rows_in, total, run.started_at, run.finished_at),
                "regels",
            )
        )
    crawls = session.scalars(
        select(WebCrawl)
        .where(WebCrawl.organisation_id == organisation_id)
        .order_by(WebCrawl.started_at.desc())
        .limit(limit)
    ).all()
    pages = dict(
        session.execute(
            select(WebPage.crawl_id, func.count())
            .where(WebPage.crawl_id.in_([c.id for c in crawls]))
            .group_by(WebPage.crawl_id)
        ).all()
    )
    for crawl in crawls:
        done = int(pages.get(crawl.id, 0))
        tasks.append(
            Task(
                "Crawl",
                ", ".join(crawl.themes) or crawl.id,
                crawl.status,
                crawl.started_at,
                crawl.finished_at,
                _estimate(done, None if crawl.status in RUNNING else done, crawl.started_at, crawl.finished_at),
                "pagina's",
            )
        )
    for resolution in session.scalars(select(ResolveRun).order_by(ResolveRun.started_at.desc()).limit(limit)).all():
        counts = resolution.counts or {}
        running = resolution.status in RUNNING
        step, steps = int(counts.get("stap", 0)), int(counts.get("stappen", 0)) or None
        done, total = (step, steps) if running else (RESOLUTION_STEPS, RESOLUTION_STEPS)
        title = f"Entiteitsresolutie ({resolution.backend})"
        if running and counts.get("fase"):
            title += f": {counts['fase']}"
        tasks.append(
            Task(
                "Resolutie",
                title,
                resolution.status,
                resolution.started_at,
                resolution.finished_at,
                _estimate(done, total, resolution.started_at, resolution.finished_at),
                "stappen",
            )
        )
    tasks.sort(key=lambda t: _aware(t.started_at), reverse=True)
    return tasks[:limit]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)

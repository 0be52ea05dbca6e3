"""A real process killed mid-import, then a rerun: no duplicates, no gaps; one process per file at a time."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from plein.core.models import Record
from plein.ingest.importer import ImportBusy, import_file
from plein.ingest.models import IngestRun
from plein.store.engine import session_factory
from tests.ingest.helpers import HEADER, csv_rows, test_source

ROWS = 12_000
CHILD = """
import sys
from pathlib import Path
from plein.store.engine import create_engine_for
from plein.ingest.importer import ImportBusy, import_file
import_file(create_engine_for(sys.argv[1]), "test-od", Path(sys.argv[2]), chunk_size=100)
"""


@pytest.mark.slow
def test_killed_import_resumes_without_duplicates_or_gaps(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    path = tmp_path / "groot.csv"
    path.write_text("\n".join([HEADER, *csv_rows(ROWS)]) + "\n", encoding="utf-8")
    url = engine.url.render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(path)], env=os.environ.copy())
    sessions = session_factory(engine)
    deadline = time.monotonic() + 120
    progressed = 0
    while time.monotonic() < deadline and child.poll() is None:
        with sessions() as session:
            progressed = session.scalar(select(IngestRun.next_row)) or 0
        if progressed >= 1_000:
            break
        time.sleep(0.05)
    assert child.poll() is None, "the import finished before it could be killed; make the file bigger"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with sessions() as session:
        run = session.scalars(select(IngestRun)).one()
        stored_before = session.scalar(select(func.count()).select_from(Record)) or 0
    assert run.status == "bezig" and 0 < run.next_row < ROWS
    assert run.display_status == "onderbroken"  # its process is gone: resumable at once
    assert stored_before == run.rows_new == run.next_row  # the checkpoint and the data agree
    assert run.bytes_read is not None and 0 < run.bytes_read < run.file_size  # how far into the file, for /taken

    summary = import_file(engine, source, path)
    assert summary.run_id == run.id and summary.resumed_from == run.next_row
    assert summary.rows_in == ROWS and summary.rows_new == ROWS and summary.rows_quarantined == 0
    with sessions() as session:
        keys = list(session.scalars(select(Record.source_key)))
    assert len(keys) == len(set(keys)) == ROWS
    assert set(keys) == {f"Z-{n:06d}" for n in range(1, ROWS + 1)}


def _start_child(engine: Engine, path: Path) -> subprocess.Popen[bytes]:
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen([sys.executable, "-c", CHILD, url, str(path)], env=os.environ.copy())


@pytest.mark.slow
def test_a_second_import_of_the_same_file_is_refused_while_the_first_runs(engine: Engine, tmp_path: Path) -> None:
    source = test_source(engine)
    path = tmp_path / "groot.csv"
    path.write_text("\n".join([HEADER, *csv_rows(ROWS)]) + "\n", encoding="utf-8")
    child = _start_child(engine, path)
    sessions = session_factory(engine)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            with sessions() as session:
                if (session.scalar(select(IngestRun.next_row)) or 0) >= 500:
                    break
            time.sleep(0.05)
        assert child.poll() is None, "the import finished before the second one started; make the file bigger"
        with pytest.raises(ImportBusy, match="wordt al ingelezen"):
            import_file(engine, source, path)
        with sessions() as session:
            assert session.scalars(select(IngestRun)).one().display_status == "bezig"
    finally:
        assert child.wait(timeout=300) == 0
    again = import_file(engine, source, path)  # after the first finished: a new run, nothing changes
    assert again.rows_in == again.rows_unchanged == ROWS and again.rows_new == 0
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == ROWS


def test_a_run_whose_process_went_silent_is_taken_over(engine: Engine, tmp_path: Path) -> None:
    """A lease held elsewhere is respected while its heartbeat is fresh, and taken over once it is stale."""
    source = test_source(engine)
    path = tmp_path / "klein.csv"
    path.write_text("\n".join([HEADER, *csv_rows(300)]) + "\n", encoding="utf-8")
    first = import_file(engine, source, path)
    sessions = session_factory(engine)
    with sessions.begin() as session:  # pretend the run is unfinished and held by a process on another host
        session.execute(
            update(IngestRun)
            .where(IngestRun.id == first.run_id)
            .values(status="bezig", next_row=100, owner="elders:4242:abc", heartbeat_at=dt.datetime.now(dt.UTC))
        )
    with pytest.raises(ImportBusy):
        import_file(engine, source, path)
    with sessions.begin() as session:
        stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)
        session.execute(update(IngestRun).where(IngestRun.id == first.run_id).values(heartbeat_at=stale))
    with sessions() as session:
        assert session.get(IngestRun, first.run_id).display_status == "onderbroken"  # type: ignore[union-attr]
    resumed = import_file(engine, source, path)
    assert resumed.run_id == first.run_id and resumed.resumed_from == 100 and resumed.status == "voltooid"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 300

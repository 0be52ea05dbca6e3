"""A real process killed mid-import, then a rerun: no duplicates, no gaps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from plein.core.models import Record
from plein.ingest.importer import import_file
from plein.ingest.models import IngestRun
from plein.store.engine import session_factory
from tests.ingest.helpers import HEADER, csv_rows, test_source

ROWS = 12_000
CHILD = """
import sys
from pathlib import Path
from plein.store.engine import create_engine_for
from plein.ingest.importer import import_file
import_file(create_engine_for(sys.argv[1]), "test-od", Path(sys.argv[2]), chunk_size=100)
"""


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
    assert stored_before == run.rows_new == run.next_row  # the checkpoint and the data agree

    summary = import_file(engine, source, path)
    assert summary.run_id == run.id and summary.resumed_from == run.next_row
    assert summary.rows_in == ROWS and summary.rows_new == ROWS and summary.rows_quarantined == 0
    with sessions() as session:
        keys = list(session.scalars(select(Record.source_key)))
    assert len(keys) == len(set(keys)) == ROWS
    assert set(keys) == {f"Z-{n:06d}" for n in range(1, ROWS + 1)}

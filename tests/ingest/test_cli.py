"""``plein ingest`` / ``plein sources`` / ``plein resolve queue`` from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from plein.cli import app
from plein.settings import get_settings
from tests.ingest.helpers import HEADER, csv_rows, test_source


def test_bad_file_is_one_clear_line_and_a_good_file_imports(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = test_source(engine)
    empty = tmp_path / "leeg.csv"
    empty.write_bytes(b"")
    env = {**os.environ, "PLEIN_DATABASE_URL": database_url, "PLEIN_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-c", "from plein.cli import main; main()", "ingest", source, str(empty)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Fout: Bestand leeg.csv: het bestand is leeg (0 bytes)" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout

    good = tmp_path / "goed.csv"
    good.write_text("\n".join([HEADER, *csv_rows(5)]), encoding="utf-8")
    monkeypatch.setenv("PLEIN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", source, str(good)])
    assert result.exit_code == 0, result.output
    assert "nieuw" in result.output and "5" in result.output
    listed = runner.invoke(app, ["sources", "list"])
    assert source in listed.output
    quality = runner.invoke(app, ["sources", "quality", source, "--json"])
    assert '"regels_in": 5' in quality.output
    queue = runner.invoke(app, ["resolve", "queue"])
    assert "Te beoordelen: 0" in queue.output

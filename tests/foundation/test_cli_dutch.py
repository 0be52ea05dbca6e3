"""The command line speaks Dutch: help, usage errors as one ``Fout:`` line, and a busy port for ``serve``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def _plein(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEIN_")}
    env.update({"PLEIN_VAR_DIR": str(tmp_path / "var"), "PLEIN_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[2] / "src"), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "plein", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_help_and_usage_errors_are_dutch(tmp_path: Path) -> None:
    shown = _plein("serve", "--help", tmp_path=tmp_path)
    assert shown.returncode == 0
    assert (
        "Gebruik: python -m plein serve" in shown.stdout
        and "Opties" in shown.stdout
        and "Toon deze hulp" in shown.stdout
    )
    assert "Usage" not in shown.stdout and "Show this message" not in shown.stdout
    unknown = _plein("bestaatniet", tmp_path=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines()[-1] == "Fout: Commando 'bestaatniet' bestaat niet."
    missing = _plein("ingest", tmp_path=tmp_path)
    assert missing.returncode == 2 and "Fout: Argument 'source' ontbreekt." in missing.stderr
    assert "Missing" not in missing.stderr and "Try '" not in missing.stderr
    wrong = _plein("demo", "seed", "--grootte", "x", tmp_path=tmp_path)
    assert wrong.returncode == 2 and "Fout: Optie --grootte bestaat niet." in wrong.stderr


def test_serve_on_a_busy_port_ends_with_one_fout_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _plein("serve", "--port", str(port), tmp_path=tmp_path)
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Fout: poort ") and str(port) in last
    assert "Traceback" not in done.stderr

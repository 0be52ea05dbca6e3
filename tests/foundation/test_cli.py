"""The command line: bad input gives one clear Dutch line and a non-zero exit code, never a trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from plein import __version__
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade


def plein(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PLEIN_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "plein", *args], capture_output=True, text=True, env=environment, timeout=120
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Fout:") and fragment in lines[0]


def test_version() -> None:
    result = plein("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"plein {__version__}"


def test_unknown_size(tmp_path: Path) -> None:
    result = plein("demo", "seed", "--size", "huge", env={"PLEIN_VAR_DIR": str(tmp_path)})
    assert_one_clear_line(result, "Onbekende grootte 'huge'")


def test_broken_database_url(tmp_path: Path) -> None:
    for url, fragment in [
        ("nonsense://x", "niet ondersteund"),
        ("::::", "geen geldige database-URL"),
        ("postgresql://postgres@127.0.0.1:1/x", "niet bereikbaar"),
    ]:
        result = plein("db", "upgrade", env={"PLEIN_DATABASE_URL": url, "PLEIN_VAR_DIR": str(tmp_path)})
        assert_one_clear_line(result, fragment)


def test_unwritable_var_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = plein("init", env={"PLEIN_VAR_DIR": str(blocker / "var")})
    assert_one_clear_line(result, "niet schrijfbaar")


@pytest.mark.slow
def test_database_from_a_newer_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine = create_engine_for(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('9999_future')"))
    engine.dispose()
    env = {"PLEIN_DATABASE_URL": url, "PLEIN_VAR_DIR": str(tmp_path)}
    assert_one_clear_line(plein("demo", "seed", "--size", "small", env=env), "nieuwer schema")
    assert_one_clear_line(plein("db", "upgrade", env=env), "nieuwer schema")


def test_serve_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    result = plein("serve", env={"PLEIN_VAR_DIR": str(tmp_path)})
    assert_one_clear_line(result, "plein init")


@pytest.mark.slow
def test_init_and_seed(tmp_path: Path) -> None:
    env = {"PLEIN_VAR_DIR": str(tmp_path)}
    assert plein("init", env=env).returncode == 0
    seeded = plein("demo", "seed", "--size", "small", "--seed", "5", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert (tmp_path / "demo" / "ground-truth.json").exists()
    again = plein("demo", "seed", "--size", "small", "--if-empty", env=env)
    assert again.returncode == 0 and "overgeslagen" in again.stdout
    refused = plein("demo", "seed", "--size", "small", env=env)
    assert_one_clear_line(refused, "bevat al gegevens")


def test_an_unexpected_error_is_one_line_with_the_details_in_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import plein.cli
    from plein.settings import get_settings

    def broken() -> None:
        raise RuntimeError("de bibliotheek viel om\ntweede regel")

    monkeypatch.setenv("PLEIN_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    monkeypatch.setattr(plein.cli, "app", broken)
    try:
        with pytest.raises(SystemExit) as stopped:
            plein.cli.main()
    finally:
        get_settings.cache_clear()
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "Onverwachte fout" in err and "RuntimeError: de bibliotheek viel om" in err
    assert "Traceback" not in err and "tweede regel" not in err
    (log,) = (tmp_path / "var" / "log").glob("plein-fout-*.log")
    assert "Traceback" in log.read_text(encoding="utf-8") and str(log) in err.replace("\n", "")


# Every word of a command or option name; a new one is English (help texts and messages stay Dutch).
_WORDS = (
    "accept add audit backend chunk clearance crawl current days db delay demo empty export extract file "
    "folder from ground host id idle if import ingest init json limit list mapping mappings max name "
    "note organisation out pages pagination password port prefix quality quarantine queue redis register "
    "reindex replace reprocess resolve review reviewer role scale scrub search seed serve size sources "
    "sso start subject system themes token train truth upgrade url users verbose verify version wait "
    "webshops webwatch retention run show workers platform admin as of seal prove "
)
CLI_WORDS = set(_WORDS.split())


def _command_names() -> list[str]:
    import typer

    from plein.cli import app

    names: list[str] = []

    def walk(command: object) -> None:
        for param in getattr(command, "params", []):
            if getattr(param, "param_type_name", "") == "option":
                names.extend(param.opts)
        for name, sub in getattr(command, "commands", {}).items():
            names.append(name)
            walk(sub)

    walk(typer.main.get_command(app))
    return names


def test_command_and_option_names_are_english() -> None:
    names = _command_names()
    assert {"sources", "register", "--organisation", "queue", "review", "--ground-truth", "--role"} <= set(names)
    unknown = sorted({name for name in names if not set(name.lstrip("-").split("-")) <= CLI_WORDS})
    assert not unknown, f"command or option names with words outside the English CLI vocabulary: {unknown}"

"""The ``plein`` command line: a thin Typer shell over the services.

Every error meant for a user (PleinError) ends as one red line and a non-zero exit code; feature
modules register their own sub-commands below.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

import typer
from rich.console import Console

from plein import __version__
from plein.cli.audit import audit_app
from plein.cli.db import db_app
from plein.cli.demo import demo_app
from plein.cli.ingest import ingest_command, sources_app
from plein.cli.resolve import resolve_app
from plein.cli.search import search_app
from plein.cli.serve import serve_command
from plein.cli.users import users_app
from plein.cli.webwatch import webshops_command, webwatch_app
from plein.errors import PleinError
from plein.settings import get_settings

app = typer.Typer(
    name="plein",
    help="plein: informatieplein voor toezicht- en handhavingspartners.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"plein {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Toon de versie."),
) -> None:
    """plein: informatieplein voor toezicht- en handhavingspartners."""


@app.command("init")
def init_command() -> None:
    """Maak var/ en de database aan en breng het schema op de nieuwste versie."""
    from plein.cli.db import upgrade_database

    upgrade_database()


app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
demo_app.command("webshops")(webshops_command)
app.add_typer(search_app, name="search")
app.add_typer(webwatch_app, name="webwatch")
app.command("serve")(serve_command)
app.command("ingest")(ingest_command)
app.add_typer(sources_app, name="bronnen")
app.add_typer(resolve_app, name="resolve")


def main() -> None:
    """Entry point: Typer handles usage errors; PleinError becomes one clear line and exit code 2."""
    try:
        app()
    except PleinError as exc:
        err_console.print(f"[bold red]Fout:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("Afgebroken.", highlight=False)
        sys.exit(130)
    except Exception as exc:  # a bug or a failing dependency: one line for the user, details in a file
        where = _write_traceback()
        err_console.print(
            f"[bold red]Onverwachte fout:[/] {type(exc).__name__}: {_first_line(exc)} De details staan in {where}.",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else ""


def _write_traceback() -> Path:
    """Keep the traceback of an unexpected error under var/log (or the temp folder if var/ is unusable)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        folder = get_settings().ensure_var_dir() / "log"
        folder.mkdir(exist_ok=True)
    except Exception:  # the settings themselves may be what failed
        folder = Path(tempfile.gettempdir())
    path = folder / f"plein-fout-{stamp}-{os.getpid()}.log"
    path.write_text(traceback.format_exc(), encoding="utf-8")
    return path

"""``plein search``: maintain the name-search index."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from sqlalchemy import Engine

from plein.core.labels import number
from plein.runtime import ready_engine

search_app = typer.Typer(help="Zoekindex beheren.", no_args_is_help=True)
console = Console()


@search_app.command("reindex")
def reindex_command() -> None:
    """Bouw de zoekindex op namen opnieuw op (na een import of resolutie-run)."""
    rebuild_index(ready_engine(), "Zoekindex bijgewerkt")


def rebuild_index(engine: Engine, done: str) -> None:
    """Rebuild the name index with a status line, then say how many establishments it took how long."""
    from plein.search.index import reindex

    started = time.perf_counter()
    with console.status("Zoekindex opbouwen…"):
        count = reindex(engine)
    seconds = number(time.perf_counter() - started, 1)
    establishments = number(count)
    console.print(f"{done}: {establishments} vestigingen in {seconds} s.")

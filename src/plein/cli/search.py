"""``plein search``: maintain the name-search index."""

from __future__ import annotations

import time

import typer
from rich.console import Console

from plein.runtime import ready_engine

search_app = typer.Typer(help="Zoekindex beheren.", no_args_is_help=True)
console = Console()


@search_app.command("reindex")
def reindex_command() -> None:
    """Bouw de zoekindex op namen opnieuw op (na een import of resolutie-run)."""
    from plein.search.index import reindex

    engine = ready_engine()
    started = time.perf_counter()
    count = reindex(engine)
    console.print(f"Zoekindex bijgewerkt: {count} vestigingen in {time.perf_counter() - started:.1f} s.")

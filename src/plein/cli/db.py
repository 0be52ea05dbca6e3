"""``plein db``: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from plein.runtime import open_engine
from plein.store.migrate import database_heads, script_heads, upgrade

db_app = typer.Typer(help="Database-schema beheren.", no_args_is_help=True)
console = Console()


def upgrade_database() -> None:
    """Create var/ and the database if needed and apply every pending migration."""
    from plein.cli.search import rebuild_index
    from plein.search.index import needs_rebuild

    engine = open_engine()
    upgrade(engine)
    console.print(f"Database bijgewerkt: {engine.url.render_as_string(hide_password=True)}")
    if needs_rebuild(engine):  # a migration emptied the (derived) search index
        rebuild_index(engine, "Zoekindex opgebouwd")


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Breng het databaseschema naar de nieuwste versie."""
    upgrade_database()


@db_app.command("current")
def current_command() -> None:
    """Toon de schemaversie van de database en die van deze plein."""
    engine = open_engine()
    console.print(f"Database: {', '.join(sorted(database_heads(engine))) or '(leeg)'}")
    console.print(f"plein:    {', '.join(sorted(script_heads()))}")

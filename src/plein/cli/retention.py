"""``plein retention``: apply the retention rules (from cron, e.g. nightly) and show them."""

from __future__ import annotations

import datetime as dt
import json

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from plein.errors import ValidationError
from plein.runtime import ready_engine
from plein.settings import get_settings

retention_app = typer.Typer(help="Bewaartermijnen toepassen en tonen.", no_args_is_help=True)
console = Console()


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"--as-of: {value!r} is geen datum (jjjj-mm-dd).") from exc


@retention_app.command("run")
def run_command(
    peildatum: str = typer.Option("", "--as-of", help="Rekenen alsof het deze dag is (jjjj-mm-dd); standaard vandaag."),
    as_json: bool = typer.Option(False, "--json", help="De aantallen als JSON (voor cron en scripts)."),
) -> None:
    """Verwijder of pseudonimiseer verlopen gegevens en ontkoppel gedeelde registraties van afgelopen samenwerkingen."""
    from plein.retention.job import run_retention

    today = _day(peildatum) if peildatum else None
    engine = ready_engine()
    with Session(engine) as session:
        counts = run_retention(session, today=today, settings=get_settings())
    engine.dispose()
    if as_json:
        typer.echo(json.dumps(counts, ensure_ascii=False))
        return
    console.print(
        f"Bewaartermijnen toegepast op {dt.date.fromisoformat(counts['peildatum']):%d-%m-%Y}: "
        f"{counts['registraties']} registraties "
        f"({counts['registraties_handeling']}), {counts['webaanbod']} webaanbiedingen "
        f"({counts['webaanbod_handeling']}), "
        f"{counts['bewijspaginas']} bewijspagina's ({counts['bewijsbestanden']} bestanden), "
        f"{counts['quarantaine']} rijen uit quarantaine, {counts['gedeelde_koppelingen']} gedeelde koppelingen "
        "van afgelopen samenwerkingen.",
        highlight=False,
    )


@retention_app.command("show")
def show_command() -> None:
    """Toon de bewaartermijn en handeling per soort gegevens."""
    from plein.retention.rules import current_rules

    engine = ready_engine()
    with Session(engine) as session:
        for rule in current_rules(session).values():
            console.print(f"{rule.kind.value}: {rule.days} dagen, daarna {rule.action.value}", highlight=False)
    engine.dispose()

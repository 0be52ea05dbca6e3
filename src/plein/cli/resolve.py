"""``plein resolve``: entity resolution, its review queue and its score on the demo world."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from plein.core.labels import number
from plein.resolve.evaluate import evaluate
from plein.resolve.review import decide, queue_size, review_queue
from plein.resolve.service import ACCEPT_WEIGHT, REVIEW_WEIGHT, run_resolution
from plein.runtime import ready_engine
from plein.store.engine import session_factory

resolve_app = typer.Typer(help="Entiteitsresolutie: registraties koppelen aan bedrijven en vestigingen.")
console = Console()


@resolve_app.callback(invoke_without_command=True)
def resolve_command(
    context: typer.Context,
    backend: str = typer.Option("duckdb", "--backend", help="duckdb (één machine) of spark (landelijke schaal)."),
    accept: float = typer.Option(ACCEPT_WEIGHT, "--accept-from", help="Matchgewicht voor automatisch koppelen."),
    review: float = typer.Option(REVIEW_WEIGHT, "--review-from", help="Matchgewicht voor de wachtrij."),
    truth: Path | None = typer.Option(None, "--ground-truth", help="Map met de grondwaarheid van de demowereld."),
) -> None:
    """Koppel registraties en partnervestigingen aan KvK-vestigingen (zonder subcommando)."""
    if context.invoked_subcommand is not None:
        return
    engine = ready_engine()
    with console.status("Entiteitsresolutie…") as status:
        summary = run_resolution(
            engine,
            backend=backend,
            accept_weight=accept,
            review_weight=review,
            progress=lambda message: status.update(message),
        )
    table = Table(title=f"Resolutie {summary.run_id} ({number(summary.seconds, 1)} s)", show_header=True)
    table.add_column("Wat")
    table.add_column("Aantal", justify="right")
    for key, value in summary.counts.items():
        table.add_row(key.replace("_", " "), number(value))
    console.print(table)
    if truth is not None:
        score = evaluate(engine, truth)
        console.print(
            f"Tegen de grondwaarheid: precisie {score.precision:.4f}, recall {score.recall:.4f}, F1 {score.f1:.4f}"
        )


@resolve_app.command("queue")
def queue_command(limit: int = typer.Option(20, "--limit", min=1, max=500)) -> None:
    """Toon koppelingen die op een beoordeling wachten."""
    engine = ready_engine()
    with session_factory(engine)() as session:
        total = queue_size(session)
        table = Table(title=f"Te beoordelen: {total}", show_header=True)
        for column in ("Id", "Wat", "Voorgestelde vestiging", "Gewicht", "Redenen"):
            table.add_column(column)
        for item in review_queue(session, limit=limit):
            reasons = "; ".join(f"{k}: {v}" for k, v in item.reasons.get("velden", {}).items())
            table.add_row(
                str(item.link_id), item.item_label, item.establishment_label, number(item.match_weight or 0, 1), reasons
            )
    console.print(table)


@resolve_app.command("review")
def decide_command(
    link_id: int = typer.Argument(..., help="Id van de koppeling (zie `plein resolve queue`)."),
    decision: str = typer.Argument(..., help="ja of nee."),
    reviewer: str = typer.Option("", "--reviewer", help="Naam van de beoordelaar."),
    note: str = typer.Option("", "--note"),
) -> None:
    """Leg een beoordeling vast; elke volgende run houdt zich eraan."""
    engine = ready_engine()
    with session_factory(engine).begin() as session:
        link = decide(session, link_id, decision, reviewer=reviewer, note=note)
        console.print(f"Koppeling {link.id}: {link.status}.")

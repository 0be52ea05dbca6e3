"""``plein demo``: the synthetic demo world."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from plein.core.labels import number
from plein.demo.seed import loaded_counts, seed_demo_world
from plein.demo.world import SIZES, size_spec
from plein.runtime import ready_engine
from plein.settings import get_settings

demo_app = typer.Typer(help="Synthetische demowereld.", no_args_is_help=True)
console = Console()


@demo_app.command("seed")
def seed_command(
    size: str = typer.Option("small", "--size", help=f"Grootte: {', '.join(SIZES)}."),
    seed: int = typer.Option(1, "--seed", help="Zelfde seed geeft dezelfde wereld."),
    out_dir: Path | None = typer.Option(None, "--out", help="Map voor de grondwaarheid (standaard var/demo)."),
    replace: bool = typer.Option(False, "--replace", help="Wis eerst ALLE gegevens in de database."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Sla over als er al gegevens zijn."),
) -> None:
    """Vul de database met een synthetische Nederlandse demowereld."""
    spec = size_spec(size)
    engine = ready_engine()
    if if_empty:
        counts = loaded_counts(engine)
        if any(counts.values()):
            summary = ", ".join(f"{number(n)} {label}" for label, n in counts.items())
            console.print(f"Demowereld overgeslagen: de database bevat al gegevens ({summary}).")
            from plein.auth.demo import existing_demo_accounts

            print_demo_accounts(existing_demo_accounts(engine))
            return
    out_dir = out_dir or get_settings().var_dir / "demo"
    console.print(
        f"Demowereld [bold]{size}[/] (seed {seed}): {number(spec.establishments)} vestigingen, "
        f"{number(spec.records)} registraties."
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        tasks: dict[str, object] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.update(tasks[phase], completed=done, total=total)  # type: ignore[arg-type]

        result = seed_demo_world(engine, size, seed, out_dir, replace=replace, progress=report)
    table = Table(title="Geladen", show_header=True)
    table.add_column("Tabel")
    table.add_column("Rijen", justify="right")
    for name, count in result.counts.items():
        table.add_row(name, number(count))
    console.print(table)
    console.print(
        f"{number(result.rows)} rijen in {number(result.seconds, 1)} s ({number(result.rows_per_second)} rijen/s). "
        + f"Grondwaarheid: {result.out_dir / 'ground-truth.json'}"
    )
    print_demo_accounts(result.accounts)


def print_demo_accounts(accounts: list[tuple[str, str, str, str]]) -> None:
    """The demo accounts (issue #3): only demo databases have them, never a real deployment."""
    if not accounts:
        return
    # Plain lines, not a table: a narrow terminal must never cut a password short.
    console.print("[bold]Demo-accounts[/] (alleen voor deze demowereld; gebruikersnaam, wachtwoord, rol, organisatie):")
    for username, password, role, org in accounts:
        console.print(f"  {username:<28} {password:<22} {role:<18} {org}", highlight=False, soft_wrap=True)

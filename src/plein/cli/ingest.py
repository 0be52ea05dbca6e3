"""``plein ingest`` and ``plein sources``: partner files in, sources, quality and quarantine."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table

from plein.core.labels import number
from plein.core.progress import Estimate, rows_at_density
from plein.errors import ValidationError
from plein.ingest.importer import RunSummary, import_file, reprocess_quarantined
from plein.ingest.mapping import packaged_mapping_names
from plein.ingest.models import QuarantinedRow, QuarantineStatus
from plein.ingest.quality import quality_report
from plein.ingest.sources import get_source, list_sources, register_source
from plein.runtime import ready_engine
from plein.settings import get_settings
from plein.store.engine import session_factory

sources_app = typer.Typer(help="Bronnen van partners: registreren, kwaliteit, quarantaine.", no_args_is_help=True)
console = Console()


def _number(value: int) -> str:
    return number(value)


def _run_with_progress(source: str, path: Path, chunk_size: int) -> RunSummary:
    engine = ready_engine()
    started = time.monotonic()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[estimate]}"),
        console=console,
    ) as progress:
        task = progress.add_task(path.name, total=path.stat().st_size if path.is_file() else None, estimate="")

        def report(rows: int, position: int, size: int) -> None:
            progress.update(
                task,
                completed=position or size,
                total=size,
                estimate=row_estimate(rows, position, size, time.monotonic() - started),
            )

        summary = import_file(engine, source, path, chunk_size=chunk_size, progress=report)
        progress.update(task, completed=path.stat().st_size)
    return summary


def row_estimate(rows: int, position: int, size: int, elapsed: float) -> str:
    """Rows done, the rows the file will hold at this density of bytes, the rate and the time left."""
    return Estimate(rows, rows_at_density(rows, position, size), elapsed).describe("regels")


def print_summary(summary: RunSummary) -> None:
    """The counts of one import as a table."""
    table = Table(title=f"Import {summary.run_id}: {summary.status}", show_header=True)
    table.add_column("Uitkomst")
    table.add_column("Regels", justify="right")
    if summary.file_lines is not None:
        table.add_row("regels in het bestand (kop en lege regels meegeteld)", _number(summary.file_lines))
    for label, value in (
        ("gelezen", summary.rows_in),
        ("nieuw", summary.rows_new),
        ("bijgewerkt", summary.rows_updated),
        ("ongewijzigd", summary.rows_unchanged),
        ("in quarantaine", summary.rows_quarantined),
        ("dubbele sleutels", summary.rows_duplicate),
    ):
        table.add_row(label, _number(value))
    console.print(table)
    if summary.resumed_from:
        console.print(f"Hervat na regel {_number(summary.resumed_from)} van een afgebroken import.")
    for message in summary.messages:
        console.print(f"[yellow]Let op:[/] {message}")
    if summary.rows_quarantined:
        console.print("Bekijk de quarantaine met `plein sources quarantine <bron>`.")


def ingest_command(
    source: str = typer.Argument(..., help="Code van de bron (zie `plein sources list`)."),
    path: Path = typer.Argument(..., help="Het bestand van de partner (CSV, XLSX of JSON)."),
    chunk_size: int = typer.Option(2000, "--chunk-size", min=1, max=100_000, help="Regels per transactie."),
) -> None:
    """Lees een bestand van een partner in: valideren, mappen, opslaan, quarantaine."""
    summary = _run_with_progress(source, path, chunk_size)
    print_summary(summary)
    if summary.status != "voltooid":  # counts that do not add up are a failure, not a success with a note
        raise typer.Exit(1)


@sources_app.command("list")
def list_command() -> None:
    """Toon de geregistreerde bronnen."""
    engine = ready_engine()
    with session_factory(engine)() as session:
        table = Table(show_header=True)
        for column in ("Code", "Organisatie", "Systeem", "Mapping", "Naam"):
            table.add_column(column)
        for source in list_sources(session):
            table.add_row(
                source.code, source.organisation.code, source.source_system, source.mapping_name or "eigen", source.name
            )
    console.print(table)


@sources_app.command("mappings")
def mappings_command() -> None:
    """Toon de meegeleverde mappings."""
    for name in packaged_mapping_names():
        console.print(name)


@sources_app.command("register")
def register_command(
    code: str = typer.Argument(..., help="Code van de nieuwe bron, bijvoorbeeld odnzkg-squit."),
    organisation: str = typer.Option(..., "--organisation", help="Code van de aanleverende organisatie."),
    system: str = typer.Option(..., "--system", help="Het bronsysteem, bijvoorbeeld 'Squit XO'."),
    mapping: str = typer.Option("", "--mapping", help="Naam van een meegeleverde mapping."),
    mapping_file: Path | None = typer.Option(None, "--mapping-file", help="Eigen mapping (YAML)."),
    name: str = typer.Option("", "--name", help="Omschrijving."),
) -> None:
    """Registreer (of wijzig) een bron met zijn mapping."""
    text = ""
    if mapping_file is not None:
        if not mapping_file.is_file():
            raise ValidationError(f"Mappingbestand {mapping_file} bestaat niet.")
        text = mapping_file.read_text(encoding="utf-8")
    engine = ready_engine()
    with session_factory(engine).begin() as session:
        register_source(
            session,
            code=code,
            organisation_code=organisation,
            source_system=system,
            name=name,
            mapping_name=mapping,
            mapping_yaml=text,
        )
    console.print(f"Bron [bold]{code}[/] geregistreerd.")


@sources_app.command("demo")
def demo_command(
    folder: Path | None = typer.Option(
        None, "--folder", help="Map met de exportbestanden (standaard var/demo/exports)."
    ),
) -> None:
    """Registreer de drie demopartners en lees hun exportbestanden in."""
    from plein.demo.exports import DEMO_EXPORTS, register_demo_sources

    folder = folder or get_settings().var_dir / "demo" / "exports"
    engine = ready_engine()
    with session_factory(engine).begin() as session:
        register_demo_sources(session)
    for export in DEMO_EXPORTS:
        path = folder / export.file_name
        if not path.is_file():
            raise ValidationError(f"{path} ontbreekt; maak de demowereld eerst met `plein demo seed`.")
        console.print(f"[bold]{export.source_code}[/]: {export.description}")
        print_summary(_run_with_progress(export.source_code, path, 2000))


@sources_app.command("quality")
def quality_command(
    code: str = typer.Argument(..., help="Code van de bron."),
    run: int | None = typer.Option(None, "--import", help="Alleen deze import."),
    as_json: bool = typer.Option(False, "--json", help="Als JSON."),
) -> None:
    """Toon het datakwaliteitsrapport van een bron."""
    engine = ready_engine()
    with session_factory(engine)() as session:
        report = quality_report(session, get_source(session, code), run)
    if as_json:
        console.print_json(json.dumps(report.as_dict(), default=str))
        return
    console.print(
        f"Bron [bold]{report.bron}[/]: {_number(report.regels_in)} regels gelezen, {_number(report.opgeslagen)} "
        f"opgeslagen, {_number(report.quarantaine)} in quarantaine ({_number(report.quarantaine_open)} open)."
    )
    table = Table(title="Velden", show_header=True)
    for column in ("Veld", "Gevuld", "Volledigheid", "Geldig"):
        table.add_column(column, justify="right" if column != "Veld" else "left")
    for item in report.velden:
        table.add_row(
            item.veld,
            _number(item.gevuld),
            f"{item.volledigheid:.1%}",
            f"{item.geldigheid:.1%}" if item.geldigheid is not None else "—",
        )
    console.print(table)
    console.print(
        f"Dubbele sleutels: {_number(report.dubbele_sleutels)} · "
        f"ongeldige datums: {_number(report.ongeldige_datums)} · "
        f"mediane vertraging: {report.tijdigheid_mediaan_dagen or 0:.0f} dagen · "
        f"gekoppeld aan een subject: {report.koppelgraad:.1%} ({_number(report.te_beoordelen)} te beoordelen)"
    )


@sources_app.command("quarantine")
def quarantine_command(
    code: str = typer.Argument(..., help="Code van de bron."),
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
) -> None:
    """Toon de open quarantaineregels van een bron, met de reden per regel."""
    from sqlalchemy import select

    engine = ready_engine()
    with session_factory(engine)() as session:
        source = get_source(session, code)
        rows = session.scalars(
            select(QuarantinedRow)
            .where(QuarantinedRow.source_id == source.id, QuarantinedRow.status == QuarantineStatus.OPEN)
            .order_by(QuarantinedRow.id)
            .limit(limit)
        ).all()
        table = Table(show_header=True)
        for column in ("Id", "Import", "Regel", "Reden"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row.id), str(row.run_id), str(row.row_number), row.reason)
    console.print(table)


@sources_app.command("reprocess")
def reprocess_command(
    quarantine_id: int = typer.Argument(..., help="Id van de quarantaineregel."),
    corrections: list[str] = typer.Argument(None, help="Correcties als KOLOM=WAARDE."),
) -> None:
    """Verwerk een quarantaineregel opnieuw, eventueel met gecorrigeerde waarden."""
    values: dict[str, str] = {}
    for item in corrections or []:
        if "=" not in item:
            raise ValidationError(f"Correctie {item!r} heeft niet de vorm KOLOM=WAARDE.")
        column, value = item.split("=", 1)
        values[column] = value
    status = reprocess_quarantined(ready_engine(), quarantine_id, values)
    console.print(
        "Regel verwerkt en opgeslagen." if status == QuarantineStatus.PROCESSED else "Regel blijft in quarantaine."
    )

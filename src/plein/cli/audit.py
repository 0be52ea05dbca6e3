"""``plein audit``: seal, verify and prove the log, and reconstruct what was done with one data subject."""

from __future__ import annotations

import datetime as dt

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.appender import checkpoint_log, seal_all
from plein.audit.chain import ActorInfo, NotInLog, prove
from plein.audit.events import record_event
from plein.audit.keys import audit_keys
from plein.audit.query import for_subject, latest_checkpoint, parse_subject, verify_log
from plein.policy.register import PRIVACY
from plein.runtime import ready_engine
from plein.settings import get_settings

audit_app = typer.Typer(help="Verwerkingenlogboek controleren en doorzoeken.", no_args_is_help=True)
console = Console()
CLI_ACTOR = ActorInfo(None, "systeem:cli", "", "privacy_officer")


@audit_app.command("verify")
def verify_command() -> None:
    """Controleer of het logboek ongeschonden is (hash-keten en het laatste ondertekende checkpoint)."""
    settings = get_settings()
    engine = ready_engine(settings)
    verdict = verify_log(
        engine,
        audit_keys(settings),
        checkpoint_log(settings),
        pending_bound=dt.timedelta(seconds=settings.audit_pending_bound),
    )
    for note in verdict.notes:
        console.print(note, highlight=False)
    if verdict.pending:
        console.print(f"{verdict.pending} regels wachten nog op verzegeling.", highlight=False)
    for problem in verdict.problems:
        console.print(f"[bold red]Checkpoints:[/] {problem}", highlight=False)
    if verdict.first_bad is not None:
        console.print(
            f"[bold red]Het verwerkingenlogboek is NIET intact.[/] Eerste foute regel: {verdict.first_bad} "
            f"({verdict.reason}). {verdict.checked} regels daarvoor zijn in orde.",
            highlight=False,
        )
        raise typer.Exit(1)
    if verdict.problems:
        console.print("[bold red]Het verwerkingenlogboek is NIET intact[/] (het checkpointbestand is gewijzigd).")
        raise typer.Exit(1)
    console.print(f"Het verwerkingenlogboek is intact: {verdict.checked} regels gecontroleerd.")
    if verdict.stale:
        console.print(
            f"[bold red]Let op:[/] {verdict.stale} regels wachten langer dan {settings.audit_pending_bound} s op "
            "verzegeling. Draait `plein serve` (of voer `plein audit seal` uit)?",
            highlight=False,
        )
        raise typer.Exit(1)


@audit_app.command("seal")
def seal_command() -> None:
    """Verzegel de geschreven regels in de keten en schrijf het ondertekende checkpoint."""
    settings = get_settings()
    checkpoints = checkpoint_log(settings)
    result = seal_all(ready_engine(settings), audit_keys(settings), checkpoints)
    if result.busy:
        console.print("Een andere verzegelaar is bezig (plein serve); die verzegelt deze regels.")
        return
    console.print(
        f"{len(result.sequenced)} regels verzegeld; het logboek telt {result.size} regels, "
        f"boomwortel {result.root}. Checkpoint in {checkpoints.path}.",
        highlight=False,
    )
    if result.refused:
        console.print(
            f"[bold red]{len(result.refused)} geschreven regels zijn daarna gewijzigd en niet verzegeld;[/] "
            "`plein audit verify` noemt de eerste.",
            highlight=False,
        )
        raise typer.Exit(1)


@audit_app.command("prove")
def prove_command(entry: int = typer.Argument(..., help="Regelnummer in het logboek.", min=1)) -> None:
    """Bewijs dat één regel in het logboek staat (Merkle-pad naar het laatste ondertekende checkpoint)."""
    settings = get_settings()
    keys = audit_keys(settings)
    checkpoints = checkpoint_log(settings)
    checkpoint, _problems = latest_checkpoint(checkpoints, keys)
    if checkpoint is None or checkpoint.size < entry:
        console.print(
            f"Geen ondertekend checkpoint in {checkpoints.path} dekt regel {entry}; voer `plein audit seal` uit.",
            highlight=False,
        )
        raise typer.Exit(1)
    engine = ready_engine(settings)
    try:
        with engine.connect() as connection:
            proof = prove(connection, keys, entry, checkpoint.size)
    except NotInLog as exc:
        console.print(f"[bold red]Niet bewezen:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    console.print(f"Regel {proof.seq} van {proof.size}: blad {proof.leaf}", highlight=False)
    for number, node in enumerate(proof.path, start=1):
        console.print(f"  pad {number}: {node}", highlight=False)
    console.print(f"Wortel: {proof.root}", highlight=False)
    console.print(f"Checkpoint: {checkpoint.line()}", highlight=False)
    if not proof.holds() or proof.root != checkpoint.root:
        console.print("[bold red]Niet bewezen:[/] het pad leidt niet naar de ondertekende wortel.", highlight=False)
        raise typer.Exit(1)
    console.print(
        f"Bewezen: regel {proof.seq} staat in het ondertekende logboek van {checkpoint.size} regels ({checkpoint.at}).",
        highlight=False,
    )


@audit_app.command("subject")
def subject_command(
    subject: str = typer.Argument(..., help="KvK-nummer (8 cijfers) of soort:nummer, bv. persoon:42."),
) -> None:
    """Toon alles wat met de gegevens van één betrokkene is gedaan: door wie, waarvoor, op welke grondslag."""
    kind, value = parse_subject(subject)
    engine = ready_engine()
    keys = audit_keys()
    with Session(engine) as session:
        entries = for_subject(session, keys, kind, value)
        record_event(
            session,
            keys,
            actor=CLI_ACTOR,
            name=AuditAction.AUDIT_SUBJECT,
            processing_activity=PRIVACY,
            subjects=[(kind, value)],
            details={"aantal": len(entries)},
        )
        session.commit()
    if not entries:
        console.print(f"Geen verwerkingen gevonden voor {kind} {value}.")
        return
    table = Table(title=f"Verwerkingen voor {kind} {value}")
    for column in ("Regel", "Tijd (UTC)", "Handeling", "Status", "Wie", "Organisatie", "Rol", "Doel", "Grondslag"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            str(e.seq) if e.sealed else "wacht",
            e.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.description,
            e.status + (f" ({e.rule})" if e.rule else ""),
            e.username,
            e.organisation_code,
            e.role,
            e.processing_activity + (f" #{e.collaboration_id}" if e.collaboration_id else ""),
            e.legal_basis,
        )
    console.print(table)

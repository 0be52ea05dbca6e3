"""``plein audit``: verify the hash chain and reconstruct what was done with one data subject."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.chain import ActorInfo
from plein.audit.events import record_event
from plein.audit.keys import audit_keys
from plein.audit.query import for_subject, parse_subject, verify_log
from plein.policy.register import PRIVACY
from plein.runtime import ready_engine

audit_app = typer.Typer(help="Verwerkingenlogboek controleren en doorzoeken.", no_args_is_help=True)
console = Console()
CLI_ACTOR = ActorInfo(None, "systeem:cli", "", "privacy_officer")


@audit_app.command("verify")
def verify_command() -> None:
    """Controleer of het logboek ongeschonden is (hash-keten); noemt de eerste foute regel."""
    engine = ready_engine()
    verdict = verify_log(engine, audit_keys())
    if verdict.intact:
        console.print(f"Het verwerkingenlogboek is intact: {verdict.checked} regels gecontroleerd.")
        return
    console.print(
        f"[bold red]Het verwerkingenlogboek is NIET intact.[/] Eerste foute regel: {verdict.first_bad} "
        f"({verdict.reason}). {verdict.checked} regels daarvoor zijn in orde.",
        highlight=False,
    )
    raise typer.Exit(1)


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
            str(e.seq),
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

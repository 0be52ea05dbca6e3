"""``plein users``: accounts from the command line (the first beheerder, unlocking, tokens)."""

from __future__ import annotations

import getpass

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.auth.accounts import create_user, set_password
from plein.auth.models import UserAccount
from plein.auth.tokens import issue_token
from plein.core.models import Organisation
from plein.errors import ValidationError
from plein.policy.roles import Role
from plein.runtime import ready_engine

users_app = typer.Typer(help="Gebruikers beheren.", no_args_is_help=True)
console = Console()


def _password(prompt: bool) -> str:
    first = getpass.getpass("Wachtwoord: ")
    if prompt and getpass.getpass("Nogmaals: ") != first:
        raise ValidationError("De wachtwoorden verschillen.")
    return first


def _user(session: Session, username: str) -> UserAccount:
    user = session.scalars(select(UserAccount).where(UserAccount.username == username.strip().lower())).first()
    if user is None:
        raise ValidationError(f"Gebruiker {username} bestaat niet.")
    return user


@users_app.command("add")
def add_command(
    username: str = typer.Argument(..., help="Gebruikersnaam (kleine letters, cijfers, . _ -)."),
    organisation: str = typer.Option(..., "--organisation", help="Code van de organisatie, bv. OD-NZKG."),
    role: Role = typer.Option(..., "--role", help="Rol."),
    clearance: str = typer.Option("vertrouwelijk", "--clearance", help="Hoogste leesbare rubricering."),
    name: str = typer.Option("", "--name", help="Volledige naam."),
    platform: bool = typer.Option(
        False, "--platform-admin", help="Beheerder die accounts van alle organisaties beheert (platformbeheer)."
    ),
) -> None:
    """Maak een account; het wachtwoord wordt gevraagd (minstens 12 tekens).

    Wie de opdrachtregel gebruikt, is de operator van plein: die mag een account in elke organisatie maken.
    """
    if platform and role != Role.BEHEERDER:
        raise ValidationError("--platform-admin kan alleen bij de rol beheerder.")
    engine = ready_engine()
    with Session(engine) as session, session.begin():
        org = session.scalars(select(Organisation).where(Organisation.code == organisation)).first()
        if org is None:
            raise ValidationError(f"Organisatie {organisation} bestaat niet.")
        user = create_user(
            session,
            username=username,
            password=_password(True),
            organisation_id=org.id,
            role=role,
            clearance=clearance,
            display_name=name,
        )
        user.platform_admin = platform
    extra = ", platformbeheer" if platform else ""
    console.print(f"Account {username} aangemaakt ({role.value}, {organisation}{extra}).")


@users_app.command("list")
def list_command() -> None:
    """Toon alle accounts."""
    engine = ready_engine()
    with Session(engine) as session:
        table = Table(title="Accounts")
        for column in ("Gebruikersnaam", "Organisatie", "Rol", "Rubricering", "Actief", "Geblokkeerd tot"):
            table.add_column(column)
        for user in session.scalars(select(UserAccount).order_by(UserAccount.username)):
            table.add_row(
                user.username,
                user.organisation.code,
                user.role,
                user.clearance,
                "ja" if user.active else "nee",
                user.locked_until.strftime("%Y-%m-%d %H:%M") if user.locked_until else "",
            )
        console.print(table)


@users_app.command("password")
def password_command(username: str = typer.Argument(...)) -> None:
    """Stel een nieuw wachtwoord in (heft ook een blokkade op; sessies en tokens van het account vervallen)."""
    engine = ready_engine()
    with Session(engine) as session, session.begin():
        ended = set_password(_user(session, username), _password(True))
    console.print(f"Wachtwoord van {username} gewijzigd; {ended} sessie(s) en token(s) beëindigd.")


@users_app.command("token")
def token_command(
    username: str = typer.Argument(...),
    name: str = typer.Option("script", "--name"),
    days: int = typer.Option(90, "--days", min=1, max=365),
) -> None:
    """Maak een persoonlijk API-token; het wordt één keer getoond."""
    engine = ready_engine()
    with Session(engine) as session, session.begin():
        secret, _row = issue_token(session, _user(session, username), name, days=days)
    console.print(secret, highlight=False)


@users_app.command("sso")
def sso_command(
    username: str = typer.Argument(...),
    subject: str = typer.Argument(..., help="De 'sub' van de gebruiker bij de identiteitsaanbieder."),
) -> None:
    """Koppel een account aan een identiteit bij de SSO-aanbieder (PLEIN_OIDC_ISSUER)."""
    from plein.auth.oidc import subject_key
    from plein.settings import get_settings

    settings = get_settings()
    if not settings.oidc_configured:
        raise ValidationError("Single sign-on is niet ingericht: zet PLEIN_OIDC_ISSUER, _CLIENT_ID en _CLIENT_SECRET.")
    engine = ready_engine()
    with Session(engine) as session, session.begin():
        _user(session, username).oidc_subject = subject_key(settings.oidc_issuer, subject.strip())
    console.print(f"Account {username} gekoppeld aan {subject} bij {settings.oidc_issuer}.")

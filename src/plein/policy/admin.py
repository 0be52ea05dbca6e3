"""Configuration changes a beheerder makes: organisations, collaborations, the legal-basis matrix.

Every function validates its input with a clear Dutch message; the caller audits through the gate.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from plein.core.models import Organisation, Theme
from plein.core.vocabulary import LegalDomain, OrganisationKind
from plein.errors import ValidationError
from plein.policy.models import (
    Collaboration,
    CollaborationMember,
    CollaborationParticipant,
    LegalBasis,
)
from plein.policy.participation import Participation, default_participation, is_statutory
from plein.policy.register import KNELPUNT, TAFEL

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
KINDS = {"thematische_tafel": TAFEL, "handhavingsknelpunt": KNELPUNT}


def same_date_next_year(day: dt.date) -> dt.date:
    """The same calendar date a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February in a leap year
        return day.replace(year=day.year + 1, day=28)


def knelpunt_term_end(starts_on: dt.date) -> dt.date:
    """The last day of a one-year term: the day before the same date a year later.

    2025-03-10 → 2026-03-09; 2024-02-29 → 2025-02-27 (the same date is then 28 February);
    2024-03-01 → 2025-02-28.
    """
    return same_date_next_year(starts_on) - dt.timedelta(days=1)


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{field} is verplicht.")
    if len(value) > limit:
        raise ValidationError(f"{field} mag hoogstens {limit} tekens lang zijn.")
    return value


def create_organisation(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    legal_domain: str,
    matrix_party: str = "",
    parent_code: str = "",
) -> Organisation:
    """A new partner organisation."""
    code = code.strip().upper()
    if not CODE.match(code):
        raise ValidationError("Een organisatiecode bestaat uit 2 tot 40 hoofdletters, cijfers of streepjes.")
    if session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None:
        raise ValidationError(f"Organisatiecode {code} bestaat al.")
    try:
        kind = OrganisationKind(kind).value
        legal_domain = LegalDomain(legal_domain).value
    except ValueError as exc:
        raise ValidationError(f"Onbekende soort of rechtsdomein: {exc}") from exc
    parent_id = None
    if parent_code:
        parent_id = session.scalar(select(Organisation.id).where(Organisation.code == parent_code.strip().upper()))
        if parent_id is None:
            raise ValidationError(f"Moederorganisatie {parent_code} bestaat niet.")
    org = Organisation(
        code=code,
        name=_text(name, "Naam", 200),
        kind=kind,
        legal_domain=legal_domain,
        matrix_party=_text(matrix_party, "Matrixpartij", 40, required=False) or None,
        parent_id=parent_id,
    )
    session.add(org)
    session.flush()
    return org


def record_legal_basis(
    session: Session, *, from_party: str, to_party: str, basis: str, justification: str, recorded_by: str
) -> LegalBasis:
    """Record (or replace) the basis for sending from one matrix party to another; article and reason required."""
    from_party = _text(from_party, "Verstrekker", 40)
    to_party = _text(to_party, "Ontvanger", 40)
    basis = _text(basis, "Wetsartikel", 2000)
    justification = _text(justification, "Onderbouwing", 4000)
    row = session.scalars(
        select(LegalBasis).where(LegalBasis.from_party == from_party, LegalBasis.to_party == to_party)
    ).first()
    if row is None:
        row = LegalBasis(from_party=from_party, to_party=to_party, basis=basis)
        session.add(row)
    row.basis, row.justification, row.active, row.uncertain = basis, justification, True, False
    row.recorded_by = recorded_by
    row.recorded_at = dt.datetime.now(dt.UTC)
    session.flush()
    return row


def withdraw_legal_basis(session: Session, basis_id: int) -> LegalBasis:
    """Stop using a basis: sharing between the pair is refused again at once."""
    row = session.get(LegalBasis, basis_id)
    if row is None:
        raise ValidationError(f"Rechtsgrondslag {basis_id} bestaat niet.")
    row.active = False
    return row


def create_collaboration(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    theme_code: str,
    scope: str,
    legal_basis: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> Collaboration:
    """A thematic table or a handhavingsknelpunt (which runs one year unless extended)."""
    code = code.strip().upper()
    if not CODE.match(code):
        raise ValidationError("Een code bestaat uit 2 tot 40 hoofdletters, cijfers of streepjes.")
    if kind not in KINDS:
        raise ValidationError("Soort is thematische_tafel of handhavingsknelpunt.")
    if session.scalar(select(Collaboration.id).where(Collaboration.code == code)) is not None:
        raise ValidationError(f"Samenwerking {code} bestaat al.")
    if theme_code and session.get(Theme, theme_code) is None:
        raise ValidationError(f"Thema {theme_code} bestaat niet.")
    if kind == "handhavingsknelpunt":
        ends_on = knelpunt_term_end(starts_on)
    if ends_on is None or ends_on < starts_on:
        raise ValidationError("De einddatum moet op of na de begindatum liggen.")
    collab = Collaboration(
        code=code,
        name=_text(name, "Naam", 200),
        kind=kind,
        theme_code=theme_code or None,
        scope=_text(scope, "Scope (wat valt erbinnen en wat niet)", 4000),
        legal_basis=_text(legal_basis, "Rechtsgrondslag", 2000),
        processing_activity_code=KINDS[kind],
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(collab)
    session.flush()
    return collab


def extend_knelpunt(collab: Collaboration) -> None:
    """Extend a handhavingsknelpunt by one more year (after the yearly evaluation)."""
    if collab.kind != "handhavingsknelpunt":
        raise ValidationError("Alleen een handhavingsknelpunt wordt per jaar verlengd; wijzig anders de einddatum.")
    collab.ends_on = knelpunt_term_end(collab.ends_on + dt.timedelta(days=1))


def add_participant(
    session: Session, collab: Collaboration, organisation_code: str, participation: str = ""
) -> CollaborationParticipant:
    """Let an organisation take part, exchanging data or not (default from the organisation).

    In a Wgs handhavingsknelpunt only a statutory RIEC participant may exchange data; asking so for
    another organisation is refused. Adding an existing participant again changes its kind.
    """
    org = session.scalars(select(Organisation).where(Organisation.code == organisation_code.strip().upper())).first()
    if org is None:
        raise ValidationError(f"Organisatie {organisation_code} bestaat niet.")
    if participation:
        try:
            kind = Participation(participation)
        except ValueError as exc:
            raise ValidationError("Deelname is 'uitwisseling' of 'zonder_uitwisseling'.") from exc
    else:
        kind = default_participation(org, wgs=collab.is_wgs)
    if collab.is_wgs and kind is Participation.UITWISSELING and not is_statutory(org):
        raise ValidationError(
            f"{org.code} is geen wettelijke deelnemer van de RIEC-samenwerking: onder de Wgs kan zij alleen "
            "deelnemen zonder uitwisseling van gegevens."
        )
    existing = session.scalars(
        select(CollaborationParticipant).where(
            CollaborationParticipant.collaboration_id == collab.id, CollaborationParticipant.organisation_id == org.id
        )
    ).first()
    row = existing or CollaborationParticipant(collaboration_id=collab.id, organisation_id=org.id)
    row.participation = kind.value
    session.add(row)
    session.flush()
    return row


def add_member(session: Session, collab: Collaboration, user_id: int, *, manager: bool = False) -> CollaborationMember:
    """Make a user a member; the user's organisation must take part."""
    users = _referenced_table(CollaborationMember.user_id)
    user = session.execute(select(users.c.organisation_id).where(users.c.id == user_id)).first()
    if user is None:
        raise ValidationError(f"Gebruiker {user_id} bestaat niet.")
    organisation_id = user.organisation_id
    participating = session.scalar(
        select(CollaborationParticipant.id).where(
            CollaborationParticipant.collaboration_id == collab.id,
            CollaborationParticipant.organisation_id == organisation_id,
        )
    )
    if participating is None:
        raise ValidationError("De organisatie van deze gebruiker neemt niet deel; voeg eerst de organisatie toe.")
    existing = session.scalars(
        select(CollaborationMember).where(
            CollaborationMember.collaboration_id == collab.id, CollaborationMember.user_id == user_id
        )
    ).first()
    if existing:
        existing.is_manager = manager
        return existing
    row = CollaborationMember(collaboration_id=collab.id, user_id=user_id, is_manager=manager)
    session.add(row)
    session.flush()
    return row


def _referenced_table(column: Any) -> Table:
    """The table a foreign key points at, found through the metadata: policy reads the user table
    without importing ``auth`` (which builds on policy's roles)."""
    (foreign_key,) = column.property.columns[0].foreign_keys
    return foreign_key.column.table

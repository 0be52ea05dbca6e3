"""Which subjects belong in one dossier: the legal entity, its KvK predecessors and successors, its
establishments (and partner duplicates linked by resolution), and the related subjects around it.
Each set is restricted by the policy gate, so a refused subject is neither shown nor hinted at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from plein.core.models import Establishment, LegalEntity, LegalEntityLink, Person, PersonRoleLink
from plein.core.vocabulary import LegalEntityLinkKind
from plein.policy.gate import Gate
from plein.resolve.models import ResolvedSubject

MAX_CHAIN = 20


@dataclass
class Succession:
    """One KvK succession step shown in the dossier."""

    direction: str  # voorganger | opvolger
    legal_entity_id: int
    name: str
    kvk: str | None
    date: str | None
    reason: str


def succession_chain(gate: Gate, legal_entity_id: int) -> tuple[list[int], list[Succession]]:
    """Legal entities linked by KvK succession (both ways, transitively), only the visible ones."""
    session = gate.session
    seen = {legal_entity_id}
    frontier = {legal_entity_id}
    steps: list[tuple[str, int, Any, str]] = []
    while frontier and len(seen) < MAX_CHAIN:
        links = session.execute(
            select(LegalEntityLink).where(
                LegalEntityLink.kind == LegalEntityLinkKind.OPVOLGING.value,
                or_(
                    LegalEntityLink.from_legal_entity_id.in_(frontier),
                    LegalEntityLink.to_legal_entity_id.in_(frontier),
                ),
            )
        ).scalars().all()
        frontier = set()
        for link in links:
            for other, direction in ((link.from_legal_entity_id, "voorganger"), (link.to_legal_entity_id, "opvolger")):
                if other not in seen:
                    seen.add(other)
                    frontier.add(other)
                    steps.append((direction, other, link.started_on, link.reason))
    visible = {
        le.id: le
        for le in session.scalars(gate.legal_entities(select(LegalEntity).where(LegalEntity.id.in_(seen)))).all()
    }
    chain = [i for i in seen if i in visible]
    successions = [
        Succession(
            direction, other, visible[other].name, visible[other].kvk, date.isoformat() if date else None, reason
        )
        for direction, other, date, reason in steps
        if other in visible
    ]
    return chain, successions


def dossier_establishments(gate: Gate, establishment_id: int, chain: list[int]) -> list[int]:
    """The establishment, the visible establishments of the chain's legal entities, and partner duplicates
    that resolution linked to the same subject."""
    session = gate.session
    subject = select(ResolvedSubject.subject_id).where(ResolvedSubject.establishment_id == establishment_id)
    same_subject = select(ResolvedSubject.establishment_id).where(ResolvedSubject.subject_id.in_(subject))
    query = gate.establishments(
        select(Establishment.id).where(
            or_(
                Establishment.id == establishment_id,
                Establishment.legal_entity_id.in_(chain or [-1]),
                Establishment.id.in_(same_subject),
            )
        )
    )
    ids = list(session.scalars(query.order_by(Establishment.id)).all())
    return ids


@dataclass
class Related:
    """A subject related to the dossier's subject, and how."""

    kind: str  # persoon | rechtspersoon
    ident: int
    label: str
    relation: str


def related_subjects(gate: Gate, chain: list[int]) -> list[Related]:
    """Visible persons with a role at the chain's legal entities, the other visible legal entities
    they hold roles at, and ownership links."""
    session = gate.session
    if not chain:
        return []
    related: list[Related] = []
    with_roles: Any = (
        select(Person, PersonRoleLink.role)
        .join(PersonRoleLink, PersonRoleLink.person_id == Person.id)
        .where(PersonRoleLink.legal_entity_id.in_(chain))
    )
    person_ids = set()
    for person, role in session.execute(gate.persons(with_roles)).all():
        if person.id not in person_ids:
            person_ids.add(person.id)
            related.append(Related("persoon", person.id, person.full_name(), role))
    if person_ids:
        other_roles: Any = (
            select(LegalEntity, PersonRoleLink.role)
            .join(PersonRoleLink, PersonRoleLink.legal_entity_id == LegalEntity.id)
            .where(PersonRoleLink.person_id.in_(person_ids), LegalEntity.id.not_in(chain))
        )
        seen: set[int] = set()
        for legal_entity, role in session.execute(gate.legal_entities(other_roles).limit(50)).all():
            if legal_entity.id not in seen:
                seen.add(legal_entity.id)
                label = f"{legal_entity.name} (KvK {legal_entity.kvk or 'onbekend'})"
                related.append(Related("rechtspersoon", legal_entity.id, label, f"zelfde persoon is {role}"))
    link = LegalEntityLink
    ownership: Any = (
        select(LegalEntity, link.from_legal_entity_id, link.share_percentage)
        .join(link, or_(link.from_legal_entity_id == LegalEntity.id, link.to_legal_entity_id == LegalEntity.id))
        .where(
            link.kind == LegalEntityLinkKind.EIGENDOM.value,
            or_(link.from_legal_entity_id.in_(chain), link.to_legal_entity_id.in_(chain)),
            LegalEntity.id.not_in(chain),
        )
    )
    for legal_entity, owner_id, share in session.execute(gate.legal_entities(ownership)).all():
        relation = "eigenaar" if owner_id == legal_entity.id else "dochter"
        if share:
            relation += f" ({share:g}%)"
        label = f"{legal_entity.name} (KvK {legal_entity.kvk or 'onbekend'})"
        related.append(Related("rechtspersoon", legal_entity.id, label, relation))
    return related

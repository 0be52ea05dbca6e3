"""Which subjects belong in one dossier: the legal entity, its KvK predecessors and successors, its
establishments (and partner duplicates linked by resolution), and the related subjects around it.
Each set is restricted by the policy gate, so a refused subject is neither shown nor hinted at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, union

from plein.audit.actions import AuditAction
from plein.core.models import Establishment, LegalEntity, LegalEntityLink, Person, PersonRoleLink
from plein.core.vocabulary import LegalEntityLinkKind
from plein.policy.gate import Gate
from plein.resolve.models import ResolvedSubject

MAX_CHAIN = 20


@dataclass
class SuccessionStep:
    """One KvK succession step shown in the dossier."""

    direction: str  # voorganger | opvolger
    legal_entity_id: int
    name: str
    kvk: str | None
    date: str | None
    reason: str


def succession_chain(gate: Gate, legal_entity_id: int) -> tuple[list[int], list[SuccessionStep]]:
    """Legal entities linked by KvK succession (both ways, transitively), only the visible ones."""
    session = gate.session
    seen = {legal_entity_id}
    frontier = {legal_entity_id}
    steps: list[tuple[str, int, Any, str]] = []
    while frontier and len(seen) < MAX_CHAIN:
        links = (
            session.execute(
                select(LegalEntityLink).where(
                    LegalEntityLink.kind == LegalEntityLinkKind.OPVOLGING.value,
                    or_(
                        LegalEntityLink.from_legal_entity_id.in_(frontier),
                        LegalEntityLink.to_legal_entity_id.in_(frontier),
                    ),
                )
            )
            .scalars()
            .all()
        )
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
        SuccessionStep(
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
    # One id set (a UNION), not an OR: with the OR PostgreSQL reads every establishment to test it.
    candidates = union(
        select(Establishment.id).where(Establishment.id == establishment_id),
        select(Establishment.id).where(Establishment.legal_entity_id.in_(chain or [-1])),
        same_subject,
    )
    query = gate.establishments(select(Establishment.id).where(Establishment.id.in_(candidates)))
    ids = list(session.scalars(query.order_by(Establishment.id)).all())
    return ids


@dataclass
class Related:
    """A subject related to the dossier's subject, and how."""

    kind: str  # persoon | rechtspersoon
    ident: int
    label: str
    relation: str


def related_subjects(gate: Gate, chain: list[int], *, with_persons: bool = False) -> list[Related]:
    """Other visible legal entities that share a person (owner, director, …) or an ownership link with
    the chain; with ``with_persons`` also the visible persons themselves.

    Persons are opt-in because the gate's person clause nests the legal-entity and establishment
    clauses and is slow on a large database (see BENCHMARKS.md); the dossier page asks for them.
    """
    session = gate.session
    if not chain:
        return []
    related: list[Related] = []
    roles = session.execute(
        select(PersonRoleLink.person_id, PersonRoleLink.role).where(PersonRoleLink.legal_entity_id.in_(chain))
    ).all()
    person_ids = sorted({person_id for person_id, _ in roles})
    if with_persons and person_ids:
        role_of = dict(roles)
        for person in session.scalars(gate.persons(select(Person).where(Person.id.in_(person_ids)))).all():
            related.append(Related("persoon", person.id, person.full_name(), role_of.get(person.id, "")))
    if person_ids:
        shared = session.execute(
            select(PersonRoleLink.legal_entity_id, PersonRoleLink.role)
            .where(PersonRoleLink.person_id.in_(person_ids), PersonRoleLink.legal_entity_id.not_in(chain))
            .limit(200)
        ).all()
        role_at = dict(shared)
        others = session.scalars(
            gate.legal_entities(select(LegalEntity).where(LegalEntity.id.in_(list(role_at))))
            .order_by(LegalEntity.name)
            .limit(50)
        ).all()
        for legal_entity in others:
            label = f"{legal_entity.name} (KvK {legal_entity.kvk or 'onbekend'})"
            related.append(
                Related("rechtspersoon", legal_entity.id, label, f"dezelfde persoon is hier {role_at[legal_entity.id]}")
            )
    link = LegalEntityLink
    owned = session.execute(
        select(link.from_legal_entity_id, link.to_legal_entity_id, link.share_percentage).where(
            link.kind == LegalEntityLinkKind.EIGENDOM.value,
            or_(link.from_legal_entity_id.in_(chain), link.to_legal_entity_id.in_(chain)),
        )
    ).all()
    relation_of: dict[int, str] = {}
    for owner, child, share in owned:
        other, relation = (owner, "eigenaar") if child in chain else (child, "dochter")
        if other not in chain:
            relation_of[other] = relation + (f" ({share:g}%)" if share else "")
    if relation_of:
        for legal_entity in session.scalars(
            gate.legal_entities(select(LegalEntity).where(LegalEntity.id.in_(list(relation_of))))
        ).all():
            label = f"{legal_entity.name} (KvK {legal_entity.kvk or 'onbekend'})"
            related.append(Related("rechtspersoon", legal_entity.id, label, relation_of[legal_entity.id]))
    return related


def dossier_of_legal_entities(gate: Gate, legal_entity_ids: list[int]) -> dict[int, int]:
    """For each legal entity, the visible establishment whose dossier a link should open (the lowest id).

    Lets a page link onward from a KvK predecessor, a successor or a web offer's seller; an entity
    with no visible establishment gets no link."""
    if not legal_entity_ids:
        return {}
    rows = gate.session.execute(
        select(Establishment.legal_entity_id, Establishment.id)
        .where(
            Establishment.legal_entity_id.in_(sorted(set(legal_entity_ids))),
            gate.establishment_clause(AuditAction.DOSSIER_LINK),
        )
        .order_by(Establishment.id)
    ).all()
    found: dict[int, int] = {}
    for entity_id, establishment_id in rows:
        if entity_id is not None:
            found.setdefault(int(entity_id), int(establishment_id))
    return found

"""KvK succession: a new KvK number at the same address with the same people is a successor.

A succession is recorded as a ``LegalEntityLink(kind="opvolging")``: a link, never a merge, so
that the old and the new company stay distinct subjects and history stays with the right one.
Records are then attributed by date: before the succession to the old establishment, from the
succession on to the new one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.core.models import (
    Establishment,
    LegalEntity,
    LegalEntityLink,
    Organisation,
    PersonRoleLink,
)
from plein.core.vocabulary import LegalEntityLinkKind

RESOLVER_SYSTEM = "plein-resolve"


@dataclass(frozen=True)
class Succession:
    """Old and new legal entity, their establishments at the shared address, the people, the date."""

    old_legal_entity_id: int
    new_legal_entity_id: int
    old_establishment_id: int
    new_establishment_id: int
    address_id: int
    person_ids: tuple[int, ...]
    date: dt.date | None

    def reason(self) -> str:
        """Why this is a succession, in words a person can check."""
        people = len(self.person_ids)
        return (
            f"Zelfde adres (adres {self.address_id}) en {people} gedeelde "
            f"{'persoon' if people == 1 else 'personen'}; nieuw KvK-nummer vanaf "
            f"{self.date.strftime('%d-%m-%Y') if self.date else 'onbekende datum'}."
        )


def detect_successions(session: Session) -> list[Succession]:
    """Pairs of KvK legal entities sharing an establishment address and at least one person."""
    kvk_org = session.scalar(select(Organisation.id).where(Organisation.code == "KVK"))
    if kvk_org is None:
        return []
    rows = session.execute(
        select(Establishment.id, Establishment.address_id, Establishment.legal_entity_id, LegalEntity.registered_on)
        .join(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
        .where(Establishment.source_organisation_id == kvk_org)
    ).all()
    by_address: dict[int, list[tuple[int, int, dt.date | None]]] = defaultdict(list)
    for est_id, address_id, le_id, registered in rows:
        if le_id is not None:
            by_address[address_id].append((est_id, le_id, registered))
    shared = {address: items for address, items in by_address.items() if len({le for _, le, _ in items}) > 1}
    if not shared:
        return []
    entity_ids = {le for items in shared.values() for _, le, _ in items}
    people: dict[int, set[int]] = defaultdict(set)
    for person_id, le_id in session.execute(
        select(PersonRoleLink.person_id, PersonRoleLink.legal_entity_id).where(
            PersonRoleLink.legal_entity_id.in_(entity_ids)
        )
    ):
        people[le_id].add(person_id)
    found: list[Succession] = []
    for address_id, items in sorted(shared.items()):
        ordered = sorted(items, key=lambda item: (item[2] or dt.date.min, item[1]))
        for (old_est, old_le, _), (new_est, new_le, registered) in itertools.pairwise(ordered):
            common = people[old_le] & people[new_le]
            if old_le != new_le and common:
                found.append(
                    Succession(old_le, new_le, old_est, new_est, address_id, tuple(sorted(common)), registered)
                )
    return found


def record_successions(session: Session, successions: list[Succession]) -> int:
    """Store each detected succession as an opvolging link unless one exists; returns how many were new."""
    existing: set[tuple[int, int]] = set(
        session.execute(
            select(LegalEntityLink.from_legal_entity_id, LegalEntityLink.to_legal_entity_id).where(
                LegalEntityLink.kind == LegalEntityLinkKind.OPVOLGING.value
            )
        ).all()
    )
    kvk_org = session.scalar(select(Organisation.id).where(Organisation.code == "KVK"))
    added = 0
    for succession in successions:
        pair = (succession.old_legal_entity_id, succession.new_legal_entity_id)
        if pair in existing or kvk_org is None:
            continue
        session.add(
            LegalEntityLink(
                kind=LegalEntityLinkKind.OPVOLGING.value,
                from_legal_entity_id=pair[0],
                to_legal_entity_id=pair[1],
                started_on=succession.date,
                reason=succession.reason(),
                source_organisation_id=kvk_org,
                source_system=RESOLVER_SYSTEM,
                source_key=f"opvolging:{pair[0]}:{pair[1]}",
            )
        )
        existing.add(pair)
        added += 1
    session.flush()
    return added


@dataclass(frozen=True)
class SuccessionIndex:
    """For each establishment: its successor or predecessor at the same address, and the date."""

    successor: dict[int, tuple[int, dt.date]]
    predecessor: dict[int, tuple[int, dt.date]]

    def attribute(self, establishment_id: int, occurred_on: dt.date | None) -> tuple[int, str]:
        """The establishment a record of ``occurred_on`` belongs to, and a reason if it moved."""
        if occurred_on is None:
            return establishment_id, ""
        seen = {establishment_id}
        current = establishment_id
        reason = ""
        while current in self.successor and occurred_on >= self.successor[current][1]:
            current, date = self.successor[current]
            reason = f"KvK-opvolging op {date.strftime('%d-%m-%Y')}: registratie valt na de opvolging"
            if current in seen:
                break
            seen.add(current)
        while current in self.predecessor and occurred_on < self.predecessor[current][1]:
            current, date = self.predecessor[current]
            reason = f"KvK-opvolging op {date.strftime('%d-%m-%Y')}: registratie valt vóór de opvolging"
            if current in seen:
                break
            seen.add(current)
        return current, reason


def succession_index(engine: Engine) -> SuccessionIndex:
    """Map establishments across every opvolging link, pairing establishments at the same address."""
    successor: dict[int, tuple[int, dt.date]] = {}
    predecessor: dict[int, tuple[int, dt.date]] = {}
    with Session(engine) as session:
        links = session.execute(
            select(
                LegalEntityLink.from_legal_entity_id, LegalEntityLink.to_legal_entity_id, LegalEntityLink.started_on
            ).where(LegalEntityLink.kind == LegalEntityLinkKind.OPVOLGING.value)
        ).all()
        entity_ids = {le for old, new, _ in links for le in (old, new)}
        establishments: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if entity_ids:
            for est_id, le_id, address_id in session.execute(
                select(Establishment.id, Establishment.legal_entity_id, Establishment.address_id).where(
                    Establishment.legal_entity_id.in_(entity_ids)
                )
            ):
                if le_id is not None:
                    establishments[le_id].append((est_id, address_id))
    for old_le, new_le, started_on in links:
        if started_on is None:
            continue
        new_by_address = {address: est for est, address in establishments[new_le]}
        for old_est, address in establishments[old_le]:
            new_est = new_by_address.get(address)
            if new_est is not None:
                successor[old_est] = (new_est, started_on)
                predecessor[new_est] = (old_est, started_on)
    return SuccessionIndex(successor, predecessor)

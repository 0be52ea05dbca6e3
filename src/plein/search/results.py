"""What searches return: establishments with address and legal entity, loaded in one query per page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.core.models import Address, Establishment, LegalEntity, Record
from plein.policy.gate import Gate


@dataclass
class SubjectHit:
    """One establishment in a result list, with why it matched and how many records the user may see."""

    establishment_id: int
    name: str
    trade_names: list[str]
    establishment_number: str | None
    legal_entity_id: int | None
    legal_name: str | None
    kvk: str | None
    street: str
    house_number: str
    postcode: str
    city: str
    municipality: str
    latitude: float
    longitude: float
    score: float | None = None
    distance_m: float | None = None
    reasons: list[str] = field(default_factory=list)
    records: int = 0

    @property
    def address(self) -> str:
        return f"{self.street} {self.house_number}, {self.postcode} {self.city}"

    def as_json(self) -> dict[str, Any]:
        """The API's shape (Dutch field names)."""
        out: dict[str, Any] = {
            "vestiging": self.establishment_id,
            "naam": self.name,
            "handelsnamen": self.trade_names,
            "vestigingsnummer": self.establishment_number,
            "rechtspersoon": self.legal_entity_id,
            "rechtspersoonNaam": self.legal_name,
            "kvkNummer": self.kvk,
            "adres": {
                "straat": self.street,
                "huisnummer": self.house_number,
                "postcode": self.postcode,
                "plaats": self.city,
                "gemeente": self.municipality,
                "breedtegraad": self.latitude,
                "lengtegraad": self.longitude,
            },
            "aantalRegistraties": self.records,
            "redenen": self.reasons,
        }
        if self.score is not None:
            out["score"] = round(self.score, 1)
        if self.distance_m is not None:
            out["afstandMeter"] = round(self.distance_m, 1)
        return out


def id_in(session: Session, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column IN ids`` with the ids as one parameter, so that a list of a thousand ids does not make a
    new statement text each time (compiled, parsed and planned anew): on PostgreSQL an array
    (``= ANY``), on SQLite a JSON array read by ``json_each``."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(BigInteger)))
    listed = func.json_each(bindparam(None, json.dumps([int(i) for i in ids]), type_=String)).table_valued("value")
    return column.in_(select(listed.c.value))


def load_hits(
    session: Session, ids: Sequence[int], visible: ColumnElement[bool] | None = None
) -> dict[int, SubjectHit]:
    """Establishments by id with address and legal entity (ids already passed the gate; ``visible``,
    the gate's establishment clause, checks them once more on the establishment rows)."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            Establishment.id,
            Establishment.name,
            Establishment.trade_names,
            Establishment.establishment_number,
            Establishment.legal_entity_id,
            LegalEntity.name,
            LegalEntity.kvk,
            Address.street,
            Address.house_number,
            Address.house_number_addition,
            Address.postcode,
            Address.city,
            Address.municipality,
            Address.latitude,
            Address.longitude,
        )
        .join(Address, Address.id == Establishment.address_id)
        .outerjoin(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
        .where(id_in(session, Establishment.id, ids), *([] if visible is None else [visible]))
    ).all()
    hits = {}
    for row in rows:
        hits[row[0]] = SubjectHit(
            establishment_id=row[0],
            name=row[1],
            trade_names=list(row[2] or []),
            establishment_number=row[3],
            legal_entity_id=row[4],
            legal_name=row[5],
            kvk=row[6],
            street=row[7],
            house_number=f"{row[8]}{row[9] or ''}",
            postcode=row[10],
            city=row[11],
            municipality=row[12],
            latitude=row[13],
            longitude=row[14],
        )
    return hits


def count_visible_records(gate: Gate, hits: Sequence[SubjectHit]) -> None:
    """Fill in each hit's number of records the user may see (never a count of refused ones)."""
    ids = [hit.establishment_id for hit in hits]
    if not ids:
        return
    counts = dict(
        gate.session.execute(
            select(Record.establishment_id, func.count())
            .where(id_in(gate.session, Record.establishment_id, ids), gate.record_clause(AuditAction.SEARCH_COUNT))
            .group_by(Record.establishment_id)
        ).all()
    )
    for hit in hits:
        hit.records = int(counts.get(hit.establishment_id, 0))


# Search criteria that point at a data subject, and the subject kind their pseudonym is stored under:
# the log keeps which fields were used, never their values in clear; the privacy officer finds the
# searches by typing the value (hashed the same way, see ``audit.query.parse_subject``).
IDENTIFYING_CRITERIA = {"kvk": "kvk", "vestigingsnummer": "vestigingsnummer", "naam": "zoeknaam", "straat": "straat"}
PSEUDONYMISED = "gepseudonimiseerd"


def criteria_subjects(criteria: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, object]]]:
    """The criteria as the audit log keeps them, and the searched values as pseudonymised subjects."""
    kept: dict[str, Any] = {}
    subjects: list[tuple[str, object]] = []
    for key, value in criteria.items():
        kind = IDENTIFYING_CRITERIA.get(key)
        if kind is None and key not in ("postcode", "huisnummer"):
            kept[key] = value
            continue
        kept[key] = PSEUDONYMISED
        if kind is not None:
            subjects.append((kind, " ".join(str(value).split())))
    if "postcode" in criteria:  # an address: postcode with house number, or the postcode alone
        address = f"{str(criteria['postcode']).replace(' ', '')} {criteria.get('huisnummer', '')}".strip()
        subjects.append(("adres", address))
    return kept, subjects


def audit_subjects(gate: Gate, action: AuditAction, hits: Sequence[SubjectHit], details: dict[str, Any]) -> None:
    """One audit entry for a search or lookup, naming every subject it returned (and pseudonyms of what
    was searched for, instead of the search terms in clear)."""
    subjects: list[tuple[str, object]] = []
    if isinstance(details.get("criteria"), dict):
        criteria, searched = criteria_subjects(details["criteria"])
        details = {**details, "criteria": criteria}
        subjects.extend(searched)
    for hit in hits:
        subjects.append(("vestiging", hit.establishment_id))
        if hit.kvk:
            subjects.append(("kvk", hit.kvk))
    gate.audit(action, object_type="vestiging", subjects=subjects, details=details)

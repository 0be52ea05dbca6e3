"""The review queue: uncertain links wait for a person; the yes or no binds every later run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from plein.core.models import Establishment, Record, utcnow
from plein.errors import ValidationError
from plein.policy.errors import NotVisible
from plein.resolve.models import LinkStatus, ResolveLink, ReviewDecision

DECISIONS = {"ja": LinkStatus.CONFIRMED, "nee": LinkStatus.REJECTED}


def _any_link(link_id: int, visible_records: ColumnElement[bool] | None) -> Select[Any]:
    query = select(ResolveLink).where(ResolveLink.id == link_id)
    if visible_records is not None:
        query = query.where(
            ResolveLink.item_kind == "record", ResolveLink.item_id.in_(select(Record.id).where(visible_records))
        )
    return query


@dataclass(frozen=True)
class ReviewItem:
    """One link waiting for review, with what the reviewer needs to judge it."""

    link_id: int
    item_kind: str
    item_id: int
    item_label: str
    establishment_id: int
    establishment_label: str
    match_weight: float | None
    reasons: dict[str, Any]
    # (field, this side, proposed establishment): the two sides side by side for the reviewer
    comparison: list[tuple[str, str, str]] = field(default_factory=list)


def _waiting(visible_records: ColumnElement[bool] | None) -> Select[Any]:
    query = select(ResolveLink).where(ResolveLink.status == LinkStatus.TO_REVIEW)
    if visible_records is not None:
        # only what the reviewer may see: records through the gate's clause, no partner establishments
        query = query.where(
            ResolveLink.item_kind == "record",
            ResolveLink.item_id.in_(select(Record.id).where(visible_records)),
        )
    return query


def queue_size(session: Session, visible_records: ColumnElement[bool] | None = None) -> int:
    """How many links wait for review (of those the reviewer may see, when a gate clause is given)."""
    query = _waiting(visible_records).subquery()
    return session.scalar(select(func.count()).select_from(query)) or 0


def review_queue(
    session: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    visible_records: ColumnElement[bool] | None = None,
    weakest_first: bool = False,
) -> list[ReviewItem]:
    """Links waiting for review, strongest first (the easiest decisions on top), or weakest first."""
    weight = ResolveLink.match_weight.asc() if weakest_first else ResolveLink.match_weight.desc()
    links = session.scalars(
        _waiting(visible_records).order_by(weight, ResolveLink.id).limit(limit).offset(offset)
    ).all()
    items = []
    for link in links:
        establishment = session.get(Establishment, link.establishment_id)
        if link.item_kind == "record":
            record = session.get(Record, link.item_id)
            label = (
                f"{record.reported_name} (KvK {record.reported_kvk or '—'}, {record.reported_postcode} "
                f"{record.reported_house_number})"
                if record
                else f"registratie {link.item_id}"
            )
        else:
            partner = session.get(Establishment, link.item_id)
            label = f"{partner.name} ({partner.address.one_line()})" if partner else f"vestiging {link.item_id}"
        target = (
            f"{establishment.name} ({establishment.address.one_line()})"
            if establishment
            else str(link.establishment_id)
        )
        if link.item_kind == "record":
            side = _record_side(session.get(Record, link.item_id))
        else:
            side = _establishment_side(session.get(Establishment, link.item_id))
        theirs = _establishment_side(establishment)
        comparison = [(name, side.get(name, ""), theirs.get(name, "")) for name in COMPARED]
        items.append(
            ReviewItem(
                link.id,
                link.item_kind,
                link.item_id,
                label,
                link.establishment_id,
                target,
                link.match_weight,
                link.reasons,
                comparison,
            )
        )
    return items


COMPARED = ("naam", "KvK-nummer", "postcode", "huisnummer")


def _record_side(record: Record | None) -> dict[str, str]:
    if record is None:
        return {}
    return {
        "naam": record.reported_name or "",
        "KvK-nummer": record.reported_kvk or "",
        "postcode": (record.reported_postcode or "").replace(" ", "").upper(),
        "huisnummer": str(record.reported_house_number or ""),
    }


def _establishment_side(establishment: Establishment | None) -> dict[str, str]:
    if establishment is None:
        return {}
    entity = establishment.legal_entity
    return {
        "naam": establishment.name,
        "KvK-nummer": (entity.kvk or "") if entity else "",
        "postcode": establishment.address.postcode.replace(" ", "").upper(),
        "huisnummer": f"{establishment.address.house_number}{establishment.address.house_number_addition}",
    }


def decide(
    session: Session,
    link_id: int,
    decision: str,
    *,
    reviewer: str = "",
    note: str = "",
    visible_records: ColumnElement[bool] | None = None,
) -> ResolveLink:
    """Store a reviewer's ``ja`` or ``nee`` on a link; later runs respect it."""
    if decision not in DECISIONS:
        raise ValidationError(f"Beslissing {decision!r} bestaat niet; kies ja of nee.")
    link = session.scalars(_any_link(link_id, visible_records)).first()
    if link is None:
        raise NotVisible("Koppeling", link_id)
    existing = session.scalars(
        select(ReviewDecision).where(
            ReviewDecision.item_kind == link.item_kind,
            ReviewDecision.item_id == link.item_id,
            ReviewDecision.establishment_id == link.establishment_id,
        )
    ).first()
    if existing is None:
        existing = ReviewDecision(
            item_kind=link.item_kind, item_id=link.item_id, establishment_id=link.establishment_id
        )
        session.add(existing)
    existing.decision = decision
    existing.decided_by = reviewer
    existing.note = note
    existing.decided_at = utcnow()
    link.status = DECISIONS[decision]
    link.updated_at = utcnow()
    session.flush()
    return link

"""Follow and unfollow subjects, and count what is new about each since the last visit, through the gate.

What is new is counted under the purpose of the visit with the gate's own clauses: records with the
record clause, web offers with the offers' visibility rule, KvK changes only for legal entities the
gate lets her see. A record she may not see is never counted, so the volglijst reveals nothing the
pages would not. Following and each visit are audited with the followed subjects.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from plein.audit.actions import AuditAction
from plein.core import labels
from plein.core.models import Address, Establishment, LegalEntity, LegalEntityLink, Record, utcnow
from plein.core.vocabulary import LegalEntityLinkKind
from plein.errors import ValidationError
from plein.follow.models import FollowItem, FollowKind
from plein.policy.errors import NotVisible
from plein.policy.gate import Gate, Subject
from plein.webwatch.models import WebOffer
from plein.webwatch.visibility import visible_offers

POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Za-z]{2})$")
KVK = re.compile(r"^[0-9]{8}$")
MAX_ITEMS = 200


@dataclass
class FollowView:
    """One followed subject as the volglijst shows it."""

    item: FollowItem
    kind_label: str
    link: str
    seen_at: dt.datetime
    new_records: int = 0
    new_offers: int = 0
    kvk_changes: list[str] = field(default_factory=list)

    @property
    def new_total(self) -> int:
        return self.new_records + self.new_offers + len(self.kvk_changes)


def normalise(kind: str, value: str) -> tuple[FollowKind, str]:
    """The kind and the stored form of a value; a Dutch ValidationError naming the field otherwise."""
    try:
        follow_kind = FollowKind(kind)
    except ValueError:
        raise ValidationError("Kies wat u wilt volgen: een vestiging, een KvK-nummer of een adres.") from None
    text = " ".join(value.split())
    if follow_kind is FollowKind.KVK:
        if not KVK.match(text):
            raise ValidationError("KvK-nummer: geef 8 cijfers, bijvoorbeeld 12345678.")
        return follow_kind, text
    if follow_kind is FollowKind.ADRES:
        postcode, _, number = text.rpartition(" ")
        match = POSTCODE.match(postcode.strip())
        if not match or not number.isdigit() or not 0 < int(number) < 100_000:
            raise ValidationError("Adres: geef postcode en huisnummer, bijvoorbeeld 1234 AB 12.")
        return follow_kind, f"{match.group(1)}{match.group(2).upper()} {int(number)}"
    if not text.isdigit() or not 0 < int(text) < 2**62:
        raise ValidationError("Vestiging: geef het nummer van de vestiging in plein.")
    return follow_kind, text


def _subject(kind: FollowKind, value: str) -> Subject:
    return (kind.value, int(value) if kind is FollowKind.VESTIGING else value)


def following(gate: Gate, user_id: int, kind: str, value: str) -> FollowItem | None:
    """Her follow item for this subject, if any (no data of the subject is read)."""
    follow_kind, text = normalise(kind, value)
    return gate.session.scalars(
        select(FollowItem).where(
            FollowItem.user_id == user_id, FollowItem.kind == follow_kind.value, FollowItem.value == text
        )
    ).first()


def follow(gate: Gate, user_id: int, kind: str, value: str) -> FollowItem:
    """Follow a subject (idempotent); an establishment must be visible to her (404 otherwise)."""
    follow_kind, text = normalise(kind, value)
    gate.record_clause(AuditAction.FOLLOW_ADD)  # role and purpose: only who may read records follows subjects
    label = text
    if follow_kind is FollowKind.VESTIGING:
        establishment = gate.read_subject(Establishment, int(text), action=AuditAction.FOLLOW_ADD)
        label = establishment.name
    elif follow_kind is FollowKind.ADRES:
        label = f"{text[:4]} {text[4:6]}{text[6:]}"
    existing = following(gate, user_id, follow_kind.value, text)
    if existing is None:
        count = gate.session.scalar(select(func.count()).where(FollowItem.user_id == user_id)) or 0
        if count >= MAX_ITEMS:
            raise ValidationError(f"U volgt al {MAX_ITEMS} onderwerpen; zet er eerst een uit de volglijst.")
        existing = FollowItem(user_id=user_id, kind=follow_kind.value, value=text, label=label[:200])
        gate.session.add(existing)
        gate.session.flush()
    gate.audit(
        AuditAction.FOLLOW_ADD,
        object_type="volgitem",
        object_id=str(existing.id),
        subjects=[_subject(follow_kind, text)],
        details={"soort": follow_kind.value},
    )
    return existing


def unfollow(gate: Gate, user_id: int, item_id: int) -> None:
    """Stop following one of her own items; another user's or a missing item answers 404."""
    item = gate.session.get(FollowItem, item_id)
    if item is None or item.user_id != user_id:
        raise NotVisible("Volglijst-onderwerp", item_id)
    kind = FollowKind(item.kind)
    gate.audit(
        AuditAction.FOLLOW_REMOVE,
        object_type="volgitem",
        object_id=str(item.id),
        subjects=[_subject(kind, item.value)],
        details={"soort": kind.value},
    )
    gate.session.delete(item)
    gate.session.flush()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@dataclass
class _Scope:
    """What one followed subject covers, restricted to what the gate lets her see."""

    establishment_ids: list[int]
    kvks: list[str]
    record_match: ColumnElement[bool]


def _scope(gate: Gate, kind: FollowKind, value: str) -> _Scope:
    session = gate.session
    if kind is FollowKind.VESTIGING:
        est = session.scalars(gate.establishments(select(Establishment).where(Establishment.id == int(value)))).first()
        if est is None:
            return _Scope([], [], false())
        kvks = []
        if est.legal_entity_id is not None:
            kvk = session.scalar(
                gate.legal_entities(select(LegalEntity.kvk).where(LegalEntity.id == est.legal_entity_id))
            )
            kvks = [kvk] if kvk else []
        match = Record.establishment_id == est.id
        if kvks:
            match = or_(match, and_(Record.establishment_id.is_(None), Record.reported_kvk == kvks[0]))
        return _Scope([est.id], kvks, match)
    if kind is FollowKind.KVK:
        ids = list(
            session.scalars(
                gate.establishments(
                    select(Establishment.id)
                    .join(LegalEntity, Establishment.legal_entity_id == LegalEntity.id)
                    .where(LegalEntity.kvk == value)
                )
            ).all()
        )
        return _Scope(ids, [value], or_(Record.establishment_id.in_(ids), Record.reported_kvk == value))
    postcode, number = value.split(" ")
    ids = list(
        session.scalars(
            gate.establishments(
                select(Establishment.id)
                .join(Address, Establishment.address_id == Address.id)
                .where(
                    Address.postcode.in_((postcode, f"{postcode[:4]} {postcode[4:]}")),
                    Address.house_number == int(number),
                ),
            )
        ).all()
    )
    reported = and_(
        Record.reported_postcode.in_((postcode, f"{postcode[:4]} {postcode[4:]}")),
        Record.reported_house_number == number,
    )
    return _Scope(ids, [], or_(Record.establishment_id.in_(ids), reported))


def _kvk_changes(gate: Gate, kvks: list[str], since: dt.datetime) -> list[str]:
    """Successions, other KvK links and dissolutions registered since ``since``, of visible legal entities."""
    if not kvks:
        return []
    session = gate.session
    entities = session.scalars(gate.legal_entities(select(LegalEntity).where(LegalEntity.kvk.in_(kvks)))).all()
    ids = [e.id for e in entities]
    changes = [
        f"{e.name} opgeheven per {labels.date(e.dissolved_on)}"
        for e in entities
        if e.dissolved_on is not None and e.dissolved_on >= since.date()
    ]
    if ids:
        links = session.scalars(
            select(LegalEntityLink)
            .where(
                LegalEntityLink.received_at > since,
                or_(LegalEntityLink.from_legal_entity_id.in_(ids), LegalEntityLink.to_legal_entity_id.in_(ids)),
            )
            .order_by(LegalEntityLink.id)
        ).all()
        others = {
            link.to_legal_entity_id if link.from_legal_entity_id in ids else link.from_legal_entity_id for link in links
        }
        visible = {
            e.id: e.name
            for e in session.scalars(gate.legal_entities(select(LegalEntity).where(LegalEntity.id.in_(others)))).all()
        }
        for link in links:
            outgoing = link.from_legal_entity_id in ids
            other = link.to_legal_entity_id if outgoing else link.from_legal_entity_id
            if other not in visible:
                continue
            role = (
                ("opvolger" if outgoing else "voorganger")
                if link.kind == LegalEntityLinkKind.OPVOLGING
                else labels.label(link.kind)
            )
            when = f" per {labels.date(link.started_on)}" if link.started_on else ""
            changes.append(f"{role}: {visible[other]}{when}")
    return changes


def overview(gate: Gate, user_id: int, *, mark_seen: bool = True) -> list[FollowView]:
    """Her followed subjects with what is new since her last visit; the visit then becomes the last."""
    items = gate.session.scalars(
        select(FollowItem).where(FollowItem.user_id == user_id).order_by(FollowItem.created_at, FollowItem.id)
    ).all()
    gate.record_clause(AuditAction.FOLLOW_VIEW)  # refused (audited) for roles or purposes without records
    offers_clause = visible_offers(gate, AuditAction.FOLLOW_VIEW)
    views: list[FollowView] = []
    subjects: list[Subject] = []
    now = utcnow()
    for item in items:
        kind = FollowKind(item.kind)
        since = _aware(item.seen_at)
        scope = _scope(gate, kind, item.value)
        records = gate.count_records(
            select(Record.id).where(Record.received_at > since, scope.record_match), action=AuditAction.FOLLOW_VIEW
        )
        offers = 0
        if scope.kvks:
            offers = int(
                gate.session.scalar(
                    select(func.count(WebOffer.id)).where(
                        offers_clause, WebOffer.received_at > since, WebOffer.seller_kvk.in_(scope.kvks)
                    )
                )
                or 0
            )
        views.append(
            FollowView(
                item=item,
                kind_label=kind.label,
                link=_link(kind, item.value),
                seen_at=since,
                new_records=records,
                new_offers=offers,
                kvk_changes=_kvk_changes(gate, scope.kvks, since),
            )
        )
        subjects.append(_subject(kind, item.value))
        if mark_seen:
            item.seen_at = now
    gate.audit(
        AuditAction.FOLLOW_VIEW,
        object_type="volglijst",
        subjects=subjects,
        details={"onderwerpen": len(views), "nieuw": sum(v.new_total for v in views)},
    )
    return views


def _link(kind: FollowKind, value: str) -> str:
    if kind is FollowKind.VESTIGING:
        return f"/dossier/{value}"
    return f"/zoeken?q={value.replace(' ', '+')}"

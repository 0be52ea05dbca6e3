"""The hash chain: appending entries under a lock, and verifying that nothing was changed.

Each entry's hash is an HMAC over its canonical content (including its actor's identity, its data
subjects and the previous entry's hash). Sequence numbers are contiguous from 1, and the chain head
row holds the newest link, so a changed, removed, inserted or reordered row is detected and named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from plein.audit.keys import AuditKeys
from plein.audit.models import AuditActor, AuditChainHead, AuditEntry, AuditSubject
from plein.errors import PleinError

GENESIS = "0" * 64


class AuditLogBroken(PleinError):
    """The log cannot be appended to; plein refuses to process data without logging it."""


HEAD_ID = 1


@dataclass(slots=True)
class ActorInfo:
    """The identity recorded for an actor."""

    user_id: int | None
    username: str
    organisation_code: str
    role: str

    def fingerprint(self) -> str:
        text = json.dumps([self.user_id, self.username, self.organisation_code, self.role])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def as_list(self) -> list[Any]:
        return [self.user_id, self.username, self.organisation_code, self.role]


@dataclass(slots=True)
class NewEntry:
    """An entry waiting to be appended; subjects are already pseudonymised."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    started_at: dt.datetime
    ended_at: dt.datetime
    status: str
    processing_activity: str
    actor: ActorInfo
    rule: str = ""
    collaboration_id: int | None = None
    legal_basis: str = ""
    object_type: str = ""
    object_id: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    subjects: list[tuple[str, str]] = field(default_factory=list)


def _ts(value: dt.datetime) -> str:
    """UTC timestamp text; SQLite hands back naive datetimes, which are UTC in plein."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    keys: AuditKeys,
    *,
    seq: int,
    prev_hash: str,
    fields: dict[str, Any],
    actor: list[Any],
    subjects: Iterable[tuple[str, str]],
) -> str:
    """The HMAC of one entry's canonical form."""
    canonical = dict(fields)
    canonical["started_at"] = _ts(canonical["started_at"])
    canonical["ended_at"] = _ts(canonical["ended_at"])
    body = {
        "seq": seq,
        "prev": prev_hash,
        "fields": canonical,
        "actor": actor,
        "subjects": sorted([list(s) for s in subjects]),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hmac.new(keys.chain, text.encode("utf-8"), hashlib.sha256).hexdigest()


_HASHED = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "started_at",
    "ended_at",
    "status",
    "rule",
    "processing_activity",
    "collaboration_id",
    "legal_basis",
    "object_type",
    "object_id",
    "details",
)


def _fields(entry: NewEntry | AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _HASHED}


def _actor_id(connection: Connection, actor: ActorInfo) -> int:
    fingerprint = actor.fingerprint()
    found = connection.scalar(select(AuditActor.id).where(AuditActor.fingerprint == fingerprint))
    if found is not None:
        return int(found)
    result = connection.execute(
        insert(AuditActor).values(
            fingerprint=fingerprint,
            user_id=actor.user_id,
            username=actor.username,
            organisation_code=actor.organisation_code,
            role=actor.role,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def append(connection: Connection, keys: AuditKeys, entries: list[NewEntry]) -> list[int]:
    """Append entries in the connection's transaction; returns their sequence numbers.

    The head row is updated first, which takes its row lock (PostgreSQL) or the write lock (SQLite),
    so concurrent appenders queue up instead of forking the chain.
    """
    if not entries:
        return []
    # One statement takes the lock (row lock on PostgreSQL, write lock on SQLite) and reads the head.
    head = connection.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_seq=AuditChainHead.last_seq)
        .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
    ).one_or_none()
    if head is None:
        raise AuditLogBroken(
            "Het verwerkingenlogboek heeft geen kop meer (audit_chain_head ontbreekt): er wordt niets meer "
            "vastgelegd. Voer `plein audit verify` uit en herstel het logboek voordat plein verder werkt."
        )
    seq, prev = int(head.last_seq), str(head.last_hash)
    written: list[int] = []
    for entry in entries:
        seq += 1
        actor_id = _actor_id(connection, entry.actor)
        digest = entry_hash(
            keys,
            seq=seq,
            prev_hash=prev,
            fields=_fields(entry),
            actor=entry.actor.as_list(),
            subjects=entry.subjects,
        )
        values = _fields(entry) | {"seq": seq, "actor_id": actor_id, "prev_hash": prev, "hash": digest}
        connection.execute(insert(AuditEntry).values(**values))
        if entry.subjects:
            connection.execute(
                insert(AuditSubject),
                [{"entry_seq": seq, "kind": kind, "pseudonym": pseudonym} for kind, pseudonym in entry.subjects],
            )
        prev = digest
        written.append(seq)
    connection.execute(update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(last_seq=seq, last_hash=prev))
    return written


@dataclass(slots=True)
class Verdict:
    """Result of ``verify``: how many entries were checked and, if broken, where and why."""

    checked: int
    first_bad: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad is None


def _batches(connection: Connection, size: int = 2000) -> Iterator[list[AuditEntry]]:
    after = 0
    while True:
        rows = list(
            connection.execute(
                select(AuditEntry.__table__).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(size)
            ).mappings()
        )
        if not rows:
            return
        yield [AuditEntry(**dict(row)) for row in rows]
        after = rows[-1]["seq"]


def verify(connection: Connection, keys: AuditKeys) -> Verdict:
    """Walk the chain from the first entry; name the first entry that does not hold."""
    actors = {
        row.id: [row.user_id, row.username, row.organisation_code, row.role]
        for row in connection.execute(select(AuditActor.__table__))
    }
    expected, prev, checked = 1, GENESIS, 0
    for batch in _batches(connection):
        low, high = batch[0].seq, batch[-1].seq
        subjects: dict[int, list[tuple[str, str]]] = {}
        for row in connection.execute(
            select(AuditSubject.entry_seq, AuditSubject.kind, AuditSubject.pseudonym).where(
                AuditSubject.entry_seq.between(low, high)
            )
        ):
            subjects.setdefault(row.entry_seq, []).append((row.kind, row.pseudonym))
        for entry in batch:
            if entry.seq != expected:
                return Verdict(checked, expected, f"regel {expected} ontbreekt (verwijderd of omgenummerd)")
            if entry.prev_hash != prev:
                return Verdict(
                    checked,
                    entry.seq,
                    "de koppeling met de vorige regel klopt niet (ingevoegd of verplaatst)",
                )
            actor = actors.get(entry.actor_id)
            if actor is None:
                return Verdict(checked, entry.seq, "de actor van deze regel ontbreekt")
            digest = entry_hash(
                keys,
                seq=entry.seq,
                prev_hash=entry.prev_hash,
                fields=_fields(entry),
                actor=actor,
                subjects=subjects.get(entry.seq, []),
            )
            if not hmac.compare_digest(digest, entry.hash):
                return Verdict(checked, entry.seq, "de inhoud van deze regel is gewijzigd")
            prev, expected, checked = entry.hash, expected + 1, checked + 1
    head = connection.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == HEAD_ID)
    ).one_or_none()
    if head is None:
        return Verdict(checked, 1, "de kop van de keten ontbreekt")
    if int(head.last_seq) != checked or head.last_hash != prev:
        if int(head.last_seq) > checked:
            return Verdict(
                checked, checked + 1, f"regels {checked + 1} t/m {head.last_seq} ontbreken (einde afgeknipt)"
            )
        return Verdict(checked, int(head.last_seq) + 1, "de kop van de keten klopt niet met de laatste regel")
    return Verdict(checked)

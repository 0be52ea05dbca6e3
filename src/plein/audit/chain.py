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

from sqlalchemy import Connection, Engine, event, func, insert, or_, select, text, update
from sqlalchemy.pool import Pool

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


_ACTOR_IDS = "plein_audit_actor_ids"  # committed actor rows: fingerprint -> id, per DBAPI connection
_NEW_ACTOR_IDS = "plein_audit_new_actor_ids"  # rows inserted by the open transaction


def _actor_id(connection: Connection, actor: ActorInfo) -> int:
    """The actor's row id, created on first use.

    Ids of committed actor rows are remembered per database connection (actor rows are append-only
    and covered by ``verify``), which saves a round trip on every append. A row inserted by the open
    transaction is remembered only once that transaction commits.
    """
    fingerprint = actor.fingerprint()
    info = connection.connection.info
    known: dict[str, int] = info.setdefault(_ACTOR_IDS, {})
    new: dict[str, int] = info.setdefault(_NEW_ACTOR_IDS, {})
    if fingerprint in known:
        return known[fingerprint]
    if fingerprint in new:
        return new[fingerprint]
    found = connection.scalar(select(AuditActor.id).where(AuditActor.fingerprint == fingerprint))
    if found is not None:
        known[fingerprint] = int(found)
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
    new[fingerprint] = int(result.inserted_primary_key[0])  # type: ignore[index]
    return new[fingerprint]


@event.listens_for(Engine, "commit")
def _keep_new_actor_ids(connection: Connection) -> None:
    info = connection.connection.info
    new = info.pop(_NEW_ACTOR_IDS, None)
    if new:
        info.setdefault(_ACTOR_IDS, {}).update(new)


@event.listens_for(Engine, "rollback")
@event.listens_for(Engine, "rollback_savepoint")
def _drop_new_actor_ids(connection: Connection, *_args: Any) -> None:
    connection.connection.info.pop(_NEW_ACTOR_IDS, None)


@event.listens_for(Pool, "reset")
def _drop_new_actor_ids_on_reset(_dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
    record.info.pop(_NEW_ACTOR_IDS, None)


# PostgreSQL: entries, subjects and the new head in one statement with a fixed text, so it is
# parsed and planned once per connection instead of compiled anew for every number of subjects.
_PG_WRITE = text(
    """
    WITH new_entries AS (
        INSERT INTO audit_entry (
            seq, trace_id, span_id, parent_span_id, name, started_at, ended_at, status, rule,
            processing_activity, collaboration_id, legal_basis, actor_id, object_type, object_id,
            details, prev_hash, hash
        )
        SELECT * FROM unnest(
            CAST(:e_seq AS bigint[]), CAST(:e_trace_id AS varchar[]), CAST(:e_span_id AS varchar[]),
            CAST(:e_parent_span_id AS varchar[]), CAST(:e_name AS varchar[]),
            CAST(:e_started_at AS timestamptz[]), CAST(:e_ended_at AS timestamptz[]),
            CAST(:e_status AS varchar[]), CAST(:e_rule AS varchar[]),
            CAST(:e_processing_activity AS varchar[]), CAST(:e_collaboration_id AS bigint[]),
            CAST(:e_legal_basis AS text[]), CAST(:e_actor_id AS bigint[]), CAST(:e_object_type AS varchar[]),
            CAST(:e_object_id AS varchar[]), CAST(:e_details AS json[]), CAST(:e_prev_hash AS varchar[]),
            CAST(:e_hash AS varchar[])
        )
    ), new_subjects AS (
        INSERT INTO audit_subject (entry_seq, position, kind, pseudonym)
        SELECT * FROM unnest(
            CAST(:s_entry_seq AS bigint[]), CAST(:s_position AS integer[]), CAST(:s_kind AS varchar[]),
            CAST(:s_pseudonym AS varchar[])
        )
    )
    UPDATE audit_chain_head SET last_seq = :last_seq, last_hash = :last_hash WHERE id = :head_id
    """
)
_ENTRY_COLUMNS = ("seq", *_HASHED, "actor_id", "prev_hash", "hash")
_SUBJECT_COLUMNS = ("entry_seq", "position", "kind", "pseudonym")


def _pg_columns(entry_rows: list[dict[str, Any]], subject_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Column-wise arrays for ``_PG_WRITE`` (details as JSON text, as the JSON column stores it)."""
    params: dict[str, Any] = {}
    for name in _ENTRY_COLUMNS:
        values = [row[name] for row in entry_rows]
        params[f"e_{name}"] = [json.dumps(v) for v in values] if name == "details" else values
    for name in _SUBJECT_COLUMNS:
        params[f"s_{name}"] = [row[name] for row in subject_rows]
    return params


def append(connection: Connection, keys: AuditKeys, entries: list[NewEntry]) -> list[int]:
    """Append entries in the connection's transaction; returns their sequence numbers.

    The head row is updated first, which takes its row lock (PostgreSQL) or the write lock (SQLite),
    so concurrent appenders queue up instead of forking the chain. The entries, their subjects and
    the new head are then written by one statement on PostgreSQL (data-modifying CTEs), so an append
    costs two round trips however many subjects it names.
    """
    if not entries:
        return []
    # One statement takes the lock and reads the head: on PostgreSQL a row lock (``FOR UPDATE``: no new
    # row version, the head is rewritten once per append, below); SQLite has no row locks, and a no-op
    # UPDATE takes its database write lock.
    if connection.dialect.name == "postgresql":
        lock: Any = (
            select(AuditChainHead.last_seq, AuditChainHead.last_hash)
            .where(AuditChainHead.id == HEAD_ID)
            .with_for_update()
        )
    else:
        lock = (
            update(AuditChainHead)
            .where(AuditChainHead.id == HEAD_ID)
            .values(last_seq=AuditChainHead.last_seq)
            .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
        )
    head = connection.execute(lock).one_or_none()
    if head is None:
        raise AuditLogBroken(
            "Het verwerkingenlogboek heeft geen kop meer (audit_chain_head ontbreekt): er wordt niets meer "
            "vastgelegd. Voer `plein audit verify` uit en herstel het logboek voordat plein verder werkt."
        )
    seq, prev = int(head.last_seq), str(head.last_hash)
    written: list[int] = []
    entry_rows: list[dict[str, Any]] = []
    subject_rows: list[dict[str, Any]] = []
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
        entry_rows.append(_fields(entry) | {"seq": seq, "actor_id": actor_id, "prev_hash": prev, "hash": digest})
        subject_rows.extend(
            {"entry_seq": seq, "position": position, "kind": kind, "pseudonym": alias}
            for position, (kind, alias) in enumerate(entry.subjects)
        )
        prev = digest
        written.append(seq)
    if connection.dialect.name == "postgresql":
        params = _pg_columns(entry_rows, subject_rows) | {"last_seq": seq, "last_hash": prev, "head_id": HEAD_ID}
        connection.execute(_PG_WRITE, params)
    else:
        connection.execute(insert(AuditEntry), entry_rows)
        if subject_rows:
            connection.execute(insert(AuditSubject), subject_rows)
        connection.execute(
            update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(last_seq=seq, last_hash=prev)
        )
    return written


@dataclass(slots=True)
class ChainVerdict:
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


def verify(connection: Connection, keys: AuditKeys) -> ChainVerdict:
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
                return ChainVerdict(checked, expected, f"regel {expected} ontbreekt (verwijderd of omgenummerd)")
            if entry.prev_hash != prev:
                return ChainVerdict(
                    checked,
                    entry.seq,
                    "de koppeling met de vorige regel klopt niet (ingevoegd of verplaatst)",
                )
            actor = actors.get(entry.actor_id)
            if actor is None:
                return ChainVerdict(checked, entry.seq, "de actor van deze regel ontbreekt")
            digest = entry_hash(
                keys,
                seq=entry.seq,
                prev_hash=entry.prev_hash,
                fields=_fields(entry),
                actor=actor,
                subjects=subjects.get(entry.seq, []),
            )
            if not hmac.compare_digest(digest, entry.hash):
                return ChainVerdict(checked, entry.seq, "de inhoud van deze regel is gewijzigd")
            prev, expected, checked = entry.hash, expected + 1, checked + 1
    head = connection.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == HEAD_ID)
    ).one_or_none()
    if head is None:
        return ChainVerdict(checked, 1, "de kop van de keten ontbreekt")
    if int(head.last_seq) != checked or head.last_hash != prev:
        if int(head.last_seq) > checked:
            return ChainVerdict(
                checked, checked + 1, f"regels {checked + 1} t/m {head.last_seq} ontbreken (einde afgeknipt)"
            )
        return ChainVerdict(checked, int(head.last_seq) + 1, "de kop van de keten klopt niet met de laatste regel")
    # Entries 1..checked exist and hold their subjects; a subject row elsewhere was put there.
    stray = connection.scalar(
        select(func.min(AuditSubject.entry_seq)).where(
            or_(AuditSubject.entry_seq < 1, AuditSubject.entry_seq > checked)
        )
    )
    if stray is not None:
        return ChainVerdict(
            checked, int(stray), f"er staan betrokkenen bij regel {stray}, die niet in de keten staat (ingevoegd)"
        )
    return ChainVerdict(checked)

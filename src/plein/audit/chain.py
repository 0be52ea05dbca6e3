"""The audit chain: entries written without a lock, sealed into an HMAC chain and Merkle tree in batches.

A request's entries are plain inserts in its own transaction (``append``): they get a provisional
number above ``PENDING_BASE`` and a keyed MAC of their content, and commit or roll back with the
request, so no reader waits for another. One sealer at a time (``seal``: the background appender of
``plein serve`` or ``plein audit seal``) takes the committed pending entries in order, gives them
their place in the chain (sequence numbers contiguous from 1, each hash an HMAC over the entry's
content, its actor, its data subjects and the previous hash), extends the Merkle tree over the
chain hashes and writes the new head. ``verify`` detects a changed, removed, inserted or reordered
row and a cut-off tail, and checks the log against a signed checkpoint kept outside the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.pool import Pool

from plein.audit.checkpoint import Checkpoint
from plein.audit.keys import AuditKeys
from plein.audit.merkle import EMPTY_ROOT, Frontier, inclusion_path, leaf_hash, root_from_path, tree_root
from plein.audit.models import AuditActor, AuditChainHead, AuditEntry, AuditSubject
from plein.errors import PleinError

GENESIS = "0" * 64
log = logging.getLogger(__name__)


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
    # Entries are written without the chain lock, so two requests may create the same actor at once:
    # the second insert does nothing and both read the one row.
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(
        dialect_insert(AuditActor)
        .values(
            fingerprint=fingerprint,
            user_id=actor.user_id,
            username=actor.username,
            organisation_code=actor.organisation_code,
            role=actor.role,
        )
        .on_conflict_do_nothing(index_elements=["fingerprint"])
    )
    new[fingerprint] = int(
        connection.execute(select(AuditActor.id).where(AuditActor.fingerprint == fingerprint)).scalar_one()
    )
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


# ------------------------------------------------------------------ pending entries (no lock)

PENDING_BASE = 1 << 62  # provisional numbers of entries not yet sealed lie above every chain number
PENDING_SEQUENCE = "audit_pending_seq"  # PostgreSQL: hands out provisional numbers without a lock
_ENTRY_COLUMNS = ("seq", *_HASHED, "actor_id", "prev_hash", "hash")
_SUBJECT_COLUMNS = ("entry_seq", "position", "kind", "pseudonym")
_PG_TYPES = {
    "trace_id": "varchar",
    "span_id": "varchar",
    "parent_span_id": "varchar",
    "name": "varchar",
    "started_at": "timestamptz",
    "ended_at": "timestamptz",
    "status": "varchar",
    "rule": "varchar",
    "processing_activity": "varchar",
    "collaboration_id": "bigint",
    "legal_basis": "text",
    "object_type": "varchar",
    "object_id": "varchar",
    "details": "json",
    "actor_id": "bigint",
    "prev_hash": "varchar",
    "hash": "varchar",
}
_PG_VALUE_COLUMNS = _ENTRY_COLUMNS[1:]
# PostgreSQL: provisional numbers, entries and subjects in one statement with a fixed text (parsed and
# planned once per connection, whatever the number of entries or subjects); no row is locked.
_PG_INSERT = text(
    f"""
    WITH ids AS MATERIALIZED (
        SELECT o, nextval('{PENDING_SEQUENCE}') AS seq FROM generate_series(1, CAST(:n AS integer)) AS o
    ), new_entries AS (
        INSERT INTO audit_entry ({", ".join(_ENTRY_COLUMNS)})
        SELECT ids.seq, {", ".join(f"e.{c}" for c in _PG_VALUE_COLUMNS)}
        FROM unnest({", ".join(f"CAST(:e_{c} AS {_PG_TYPES[c]}[])" for c in _PG_VALUE_COLUMNS)})
            WITH ORDINALITY AS e({", ".join(_PG_VALUE_COLUMNS)}, o)
        JOIN ids ON ids.o = e.o
    ), new_subjects AS (
        INSERT INTO audit_subject ({", ".join(_SUBJECT_COLUMNS)})
        SELECT ids.seq, s.position, s.kind, s.pseudonym
        FROM unnest(CAST(:s_entry AS integer[]), CAST(:s_position AS integer[]), CAST(:s_kind AS varchar[]),
                    CAST(:s_pseudonym AS varchar[])) AS s(o, position, kind, pseudonym)
        JOIN ids ON ids.o = s.o
    )
    SELECT seq FROM ids ORDER BY o
    """  # noqa: S608 - built from the constants above
)
# SQLite: the next provisional number is read by the insert itself, under the write lock it takes.
_SQLITE_NEXT = select(func.max(func.coalesce(func.max(AuditEntry.seq), 0), PENDING_BASE) + 1).scalar_subquery()


def pending_mac(
    keys: AuditKeys, *, fields: dict[str, Any], actor: list[Any], subjects: Iterable[tuple[str, str]]
) -> str:
    """The keyed MAC of a pending entry (its hash until sealed): its content, without a place in the chain."""
    return entry_hash(keys, seq=0, prev_hash="", fields=fields, actor=actor, subjects=subjects)


def append(connection: Connection, keys: AuditKeys, entries: list[NewEntry]) -> list[int]:
    """Insert entries as pending in the connection's transaction; returns their provisional numbers.

    No lock is taken: the entries commit or roll back with the caller's transaction and are given
    their place in the chain later, by ``seal``.
    """
    if not entries:
        return []
    entry_rows: list[dict[str, Any]] = []
    subject_rows: list[dict[str, Any]] = []
    for number, entry in enumerate(entries, start=1):
        mac = pending_mac(keys, fields=_fields(entry), actor=entry.actor.as_list(), subjects=entry.subjects)
        actor_id = _actor_id(connection, entry.actor)
        entry_rows.append(_fields(entry) | {"actor_id": actor_id, "prev_hash": "", "hash": mac})
        subject_rows.extend(
            {"entry": number, "position": position, "kind": kind, "pseudonym": alias}
            for position, (kind, alias) in enumerate(entry.subjects)
        )
    if connection.dialect.name == "postgresql":
        params: dict[str, Any] = {"n": len(entry_rows)}
        for name in _PG_VALUE_COLUMNS:
            values = [row[name] for row in entry_rows]
            params[f"e_{name}"] = [json.dumps(v) for v in values] if name == "details" else values
        for name in ("entry", "position", "kind", "pseudonym"):
            params[f"s_{name}"] = [row[name] for row in subject_rows]
        return [int(seq) for seq in connection.execute(_PG_INSERT, params).scalars()]
    numbers: list[int] = []
    for row in entry_rows:
        statement = insert(AuditEntry).values(row | {"seq": _SQLITE_NEXT}).returning(AuditEntry.seq)
        numbers.append(int(connection.execute(statement).scalar_one()))
    if subject_rows:
        connection.execute(
            insert(AuditSubject),
            [
                {
                    "entry_seq": numbers[row["entry"] - 1],
                    "position": row["position"],
                    "kind": row["kind"],
                    "pseudonym": row["pseudonym"],
                }
                for row in subject_rows
            ],
        )
    return numbers


# ------------------------------------------------------------------ sealing (one sealer at a time)

_SEAL_LOCK = 0x706C65696E5345  # PostgreSQL advisory lock of the sealer ("pleinSE")
_PG_MOVE_ENTRIES = text(
    """
    UPDATE audit_entry AS e SET seq = m.new_seq, prev_hash = m.prev_hash, hash = m.hash
    FROM unnest(CAST(:old AS bigint[]), CAST(:new AS bigint[]), CAST(:prev AS varchar[]), CAST(:hash AS varchar[]))
        AS m(old_seq, new_seq, prev_hash, hash)
    WHERE e.seq = m.old_seq
    """
)
_PG_MOVE_SUBJECTS = text(
    """
    UPDATE audit_subject AS s SET entry_seq = m.new_seq
    FROM unnest(CAST(:old AS bigint[]), CAST(:new AS bigint[])) AS m(old_seq, new_seq)
    WHERE s.entry_seq = m.old_seq
    """
)


@dataclass(slots=True)
class SealResult:
    """What one ``seal`` did: the sequence numbers it gave, the new tree head, pending entries it refused."""

    sequenced: list[int] = field(default_factory=list)
    size: int = 0
    root: str = EMPTY_ROOT
    refused: list[int] = field(default_factory=list)
    busy: bool = False  # another sealer holds the lock


def _lock_head(connection: Connection) -> Any:
    """Take the sealer's lock and read the head; None when another sealer is at work (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        if not connection.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _SEAL_LOCK}):
            return None
        lock: Any = select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
    else:  # a no-op update takes SQLite's write lock before anything is read
        lock = (
            update(AuditChainHead)
            .where(AuditChainHead.id == HEAD_ID)
            .values(last_seq=AuditChainHead.last_seq)
            .returning(*AuditChainHead.__table__.columns)
        )
    head = connection.execute(lock).one_or_none()
    if head is None:
        raise AuditLogBroken(
            "Het verwerkingenlogboek heeft geen kop meer (audit_chain_head ontbreekt): er wordt niets meer "
            "vastgelegd. Voer `plein audit verify` uit en herstel het logboek voordat plein verder werkt."
        )
    return head


def _frontier(connection: Connection, head: Any) -> Frontier:
    """The tree over the sealed entries: from the head, or rebuilt once for a chain sealed before the tree."""
    size = int(head.last_seq)
    if head.frontier is not None and (size == 0 or head.frontier):
        try:
            return Frontier.load(size, head.frontier)
        except ValueError:
            pass
    frontier = Frontier()
    for digest in connection.scalars(
        select(AuditEntry.hash).where(AuditEntry.seq.between(1, size)).order_by(AuditEntry.seq)
    ):
        frontier.append(leaf_hash(digest))
    return frontier


def _actors(connection: Connection, ids: Iterable[int]) -> dict[int, list[Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        row.id: [row.user_id, row.username, row.organisation_code, row.role]
        for row in connection.execute(select(AuditActor.__table__).where(AuditActor.id.in_(wanted)))
    }


def _subjects_between(connection: Connection, low: int, high: int) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for row in connection.execute(
        select(AuditSubject.entry_seq, AuditSubject.kind, AuditSubject.pseudonym).where(
            AuditSubject.entry_seq.between(low, high)
        )
    ):
        found.setdefault(int(row.entry_seq), []).append((row.kind, row.pseudonym))
    return found


def _pending(connection: Connection, limit: int) -> list[AuditEntry]:
    rows = connection.execute(
        select(AuditEntry.__table__).where(AuditEntry.seq > PENDING_BASE).order_by(AuditEntry.seq).limit(limit)
    ).mappings()
    return [AuditEntry(**dict(row)) for row in rows]


def seal(connection: Connection, keys: AuditKeys, *, limit: int = 5000) -> SealResult:
    """Give up to ``limit`` committed pending entries their place in the chain, in the order they came.

    Runs in the caller's transaction under the sealer's lock (an advisory lock and the head row on
    PostgreSQL, the write lock on SQLite), which only sealers take. A pending entry whose MAC no
    longer matches its content was changed after it was written: it is left pending (``verify``
    names it) rather than sealed into the chain as if it were genuine.
    """
    head = _lock_head(connection)
    if head is None:
        return SealResult(busy=True)
    frontier = _frontier(connection, head)
    seq, prev = int(head.last_seq), str(head.last_hash)
    result = SealResult(size=seq, root=frontier.root())
    pending = _pending(connection, limit)
    if not pending:
        if head.frontier is None or head.root_hash != result.root:
            connection.execute(
                update(AuditChainHead)
                .where(AuditChainHead.id == HEAD_ID)
                .values(frontier=frontier.dump(), root_hash=result.root)
            )
        return result
    subjects = _subjects_between(connection, pending[0].seq, pending[-1].seq)
    actors = _actors(connection, (entry.actor_id for entry in pending))
    moves: list[tuple[int, int, str, str]] = []
    for entry in pending:
        actor = actors.get(entry.actor_id)
        named = subjects.get(entry.seq, [])
        fields = _fields(entry)
        if actor is None or not hmac.compare_digest(
            pending_mac(keys, fields=fields, actor=actor, subjects=named), entry.hash
        ):
            result.refused.append(entry.seq)
            continue
        seq += 1
        digest = entry_hash(keys, seq=seq, prev_hash=prev, fields=fields, actor=actor, subjects=named)
        moves.append((entry.seq, seq, prev, digest))
        frontier.append(leaf_hash(digest))
        prev = digest
        result.sequenced.append(seq)
    if result.refused:
        log.error(
            "Verwerkingenlogboek: %d onverzegelde regels zijn gewijzigd en worden niet verzegeld: %s",
            len(result.refused),
            result.refused[:10],
        )
    if moves:
        if connection.dialect.name == "postgresql":
            old, new, prevs, hashes = (list(column) for column in zip(*moves, strict=True))
            connection.execute(_PG_MOVE_ENTRIES, {"old": old, "new": new, "prev": prevs, "hash": hashes})
            connection.execute(_PG_MOVE_SUBJECTS, {"old": old, "new": new})
        else:
            connection.exec_driver_sql(
                "UPDATE audit_entry SET seq = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                [(new, prev_hash, digest, old) for old, new, prev_hash, digest in moves],
            )
            connection.exec_driver_sql(
                "UPDATE audit_subject SET entry_seq = ? WHERE entry_seq = ?",
                [(new, old) for old, new, _prev, _digest in moves],
            )
    result.size, result.root = seq, frontier.root()
    connection.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_seq=seq, last_hash=prev, frontier=frontier.dump(), root_hash=result.root)
    )
    return result


# ------------------------------------------------------------------ verification


@dataclass(slots=True)
class ChainVerdict:
    """Result of ``verify``: how many entries were checked and, if broken, where and why.

    ``pending`` entries are written but not yet sealed; ``stale`` of them waited longer than the
    bound (no sealer running?). ``notes`` say what was checked beyond the chain (the checkpoint).
    """

    checked: int
    first_bad: int | None = None
    reason: str = ""
    pending: int = 0
    stale: int = 0
    root: str = EMPTY_ROOT
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the checkpoints file itself was tampered with

    @property
    def intact(self) -> bool:
        return self.first_bad is None and not self.problems


def _batches(connection: Connection, size: int = 2000) -> Iterator[list[AuditEntry]]:
    after = 0
    while True:
        rows = list(
            connection.execute(
                select(AuditEntry.__table__)
                .where(AuditEntry.seq > after, AuditEntry.seq <= PENDING_BASE)
                .order_by(AuditEntry.seq)
                .limit(size)
            ).mappings()
        )
        if not rows:
            return
        yield [AuditEntry(**dict(row)) for row in rows]
        after = rows[-1]["seq"]


def _walk(
    connection: Connection, keys: AuditKeys, checkpoints: Sequence[Checkpoint]
) -> tuple[ChainVerdict | None, int, str, Frontier]:
    """Check the sealed entries in order, and the tree at each checkpoint's size against its root;
    (failure or None, entries checked, last hash, tree)."""
    signed: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        signed.setdefault(checkpoint.size, []).append(checkpoint)
    matched = 0  # the largest checkpointed size found to hold
    actors = {
        row.id: [row.user_id, row.username, row.organisation_code, row.role]
        for row in connection.execute(select(AuditActor.__table__))
    }
    expected, prev, checked = 1, GENESIS, 0
    frontier = Frontier()
    for batch in _batches(connection):
        subjects = _subjects_between(connection, batch[0].seq, batch[-1].seq)
        for entry in batch:
            if entry.seq != expected:
                return (
                    ChainVerdict(checked, expected, f"regel {expected} ontbreekt (verwijderd of omgenummerd)"),
                    0,
                    "",
                    frontier,
                )
            if entry.prev_hash != prev:
                reason = "de koppeling met de vorige regel klopt niet (ingevoegd of verplaatst)"
                return ChainVerdict(checked, entry.seq, reason), 0, "", frontier
            actor = actors.get(entry.actor_id)
            if actor is None:
                return ChainVerdict(checked, entry.seq, "de actor van deze regel ontbreekt"), 0, "", frontier
            digest = entry_hash(
                keys,
                seq=entry.seq,
                prev_hash=entry.prev_hash,
                fields=_fields(entry),
                actor=actor,
                subjects=subjects.get(entry.seq, []),
            )
            if not hmac.compare_digest(digest, entry.hash):
                return ChainVerdict(checked, entry.seq, "de inhoud van deze regel is gewijzigd"), 0, "", frontier
            frontier.append(leaf_hash(entry.hash))
            for checkpoint in signed.get(frontier.size, ()):
                if frontier.root() != checkpoint.root:
                    reason = (
                        f"regels {matched + 1} t/m {checkpoint.size} komen niet overeen met het ondertekende "
                        f"checkpoint van {checkpoint.at} (afgeknipt en aangevuld, of herschreven)"
                    )
                    return ChainVerdict(matched, matched + 1, reason), 0, "", frontier
                matched = frontier.size
            prev, expected, checked = entry.hash, expected + 1, checked + 1
    return None, checked, prev, frontier


def _check_pending(
    connection: Connection, keys: AuditKeys, verdict: ChainVerdict, now: dt.datetime, bound: dt.timedelta
) -> None:
    """Count pending entries, those older than ``bound``, and name the first whose MAC fails."""
    after = PENDING_BASE
    while True:
        batch = _pending_after(connection, after)
        if not batch:
            return
        subjects = _subjects_between(connection, batch[0].seq, batch[-1].seq)
        actors = _actors(connection, (entry.actor_id for entry in batch))
        for entry in batch:
            verdict.pending += 1
            ended = entry.ended_at if entry.ended_at.tzinfo else entry.ended_at.replace(tzinfo=dt.UTC)
            if now - ended > bound:
                verdict.stale += 1
            actor = actors.get(entry.actor_id)
            mac = pending_mac(keys, fields=_fields(entry), actor=actor or [], subjects=subjects.get(entry.seq, []))
            if verdict.first_bad is None and (actor is None or not hmac.compare_digest(mac, entry.hash)):
                verdict.first_bad = entry.seq
                verdict.reason = (
                    f"de nog niet verzegelde regel met voorlopig nummer {entry.seq - PENDING_BASE} is gewijzigd"
                )
        after = batch[-1].seq


def _pending_after(connection: Connection, after: int, size: int = 2000) -> list[AuditEntry]:
    rows = connection.execute(
        select(AuditEntry.__table__).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(size)
    ).mappings()
    return [AuditEntry(**dict(row)) for row in rows]


def verify(
    connection: Connection,
    keys: AuditKeys,
    checkpoints: Sequence[Checkpoint] = (),
    *,
    pending_bound: dt.timedelta = dt.timedelta(minutes=1),
    now: dt.datetime | None = None,
) -> ChainVerdict:
    """Walk the chain from the first entry; name the first entry that does not hold.

    With ``checkpoints`` (signed tree heads from outside the database, their signatures already
    checked) the log must also hold each of those trees: at least its size, and its first entries
    hashing to its root, so a cut-off tail or a wiped log is found even when the head row was
    rewritten to match, and also after new entries were sealed onto the shortened log.
    """
    failed, checked, prev, frontier = _walk(connection, keys, checkpoints)
    if failed is not None:
        return failed
    head = connection.execute(
        select(AuditChainHead.last_seq, AuditChainHead.last_hash, AuditChainHead.root_hash).where(
            AuditChainHead.id == HEAD_ID
        )
    ).one_or_none()
    if head is None:
        return ChainVerdict(checked, 1, "de kop van de keten ontbreekt")
    if int(head.last_seq) != checked or head.last_hash != prev:
        if int(head.last_seq) > checked:
            return ChainVerdict(
                checked, checked + 1, f"regels {checked + 1} t/m {head.last_seq} ontbreken (einde afgeknipt)"
            )
        return ChainVerdict(checked, int(head.last_seq) + 1, "de kop van de keten klopt niet met de laatste regel")
    root = frontier.root()
    if head.root_hash and head.root_hash != root:
        return ChainVerdict(checked, checked, "de boomwortel in de kop klopt niet met de regels")
    checkpoint = max(checkpoints, key=lambda c: c.size, default=None)
    if checkpoint is not None and checked < checkpoint.size:
        return ChainVerdict(
            checked,
            checked + 1,
            f"het ondertekende checkpoint van {checkpoint.at} telt {checkpoint.size} regels; regels {checked + 1} "
            f"t/m {checkpoint.size} ontbreken (einde afgeknipt of logboek gewist)",
        )
    # Sealed entries 1..checked and the pending ones hold their subjects; a subject row elsewhere was put there.
    pending_numbers = select(AuditEntry.seq).where(AuditEntry.seq > PENDING_BASE)
    stray = connection.scalar(
        select(func.min(AuditSubject.entry_seq)).where(
            or_(AuditSubject.entry_seq < 1, AuditSubject.entry_seq > checked),
            AuditSubject.entry_seq.not_in(pending_numbers),
        )
    )
    if stray is not None:
        return ChainVerdict(
            checked, int(stray), f"er staan betrokkenen bij regel {stray}, die niet in de keten staat (ingevoegd)"
        )
    verdict = ChainVerdict(checked, root=root)
    _check_pending(connection, keys, verdict, now or dt.datetime.now(dt.UTC), pending_bound)
    return verdict


# ------------------------------------------------------------------ inclusion proofs


@dataclass(slots=True)
class InclusionProof:
    """Entry ``seq`` is leaf ``seq - 1`` of the tree of ``size`` leaves whose root is ``root``."""

    seq: int
    size: int
    leaf: str
    path: list[str]
    root: str

    def holds(self) -> bool:
        """Recompute the root from the leaf and the path (what an auditor does with the printed proof)."""
        found = root_from_path(bytes.fromhex(self.leaf), self.seq - 1, self.size, [bytes.fromhex(p) for p in self.path])
        return found is not None and found.hex() == self.root


class NotInLog(PleinError):
    """The entry asked for cannot be proved to be in the log."""


def prove(connection: Connection, keys: AuditKeys, seq: int, size: int) -> InclusionProof:
    """Prove that sealed entry ``seq`` is in the tree of the first ``size`` entries.

    The entry's chain hash is recomputed from its content first, so the proof is about what the row
    says now, not just about a hash stored beside it.
    """
    if not 1 <= seq <= size:
        raise NotInLog(f"Regel {seq} valt buiten de boom van {size} regels.")
    entry = connection.execute(select(AuditEntry.__table__).where(AuditEntry.seq == seq)).mappings().one_or_none()
    if entry is None:
        raise NotInLog(f"Regel {seq} staat niet in het logboek.")
    row = AuditEntry(**dict(entry))
    actor = _actors(connection, [row.actor_id]).get(row.actor_id)
    digest = entry_hash(
        keys,
        seq=seq,
        prev_hash=row.prev_hash,
        fields=_fields(row),
        actor=actor or [],
        subjects=_subjects_between(connection, seq, seq).get(seq, []),
    )
    if actor is None or not hmac.compare_digest(digest, row.hash):
        raise NotInLog(f"Regel {seq} is gewijzigd: de inhoud past niet meer bij de hash in de keten.")
    leaves = [
        leaf_hash(h)
        for h in connection.scalars(
            select(AuditEntry.hash).where(AuditEntry.seq.between(1, size)).order_by(AuditEntry.seq)
        )
    ]
    if len(leaves) != size:
        raise NotInLog(f"Het logboek telt minder dan {size} verzegelde regels; voer `plein audit verify` uit.")
    path = inclusion_path(leaves, seq - 1)
    return InclusionProof(seq, size, leaves[seq - 1].hex(), [p.hex() for p in path], tree_root(leaves).hex())

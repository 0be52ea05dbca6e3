"""Reading the audit log: filtered listing, everything done with one data subject, verification."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select
from sqlalchemy.orm import Session

from plein.audit.actions import describe
from plein.audit.chain import PENDING_BASE, ChainVerdict, verify
from plein.audit.checkpoint import Checkpoint, CheckpointLog, public_key_hex, signature_holds
from plein.audit.keys import AuditKeys
from plein.audit.models import AuditActor, AuditEntry, AuditSubject
from plein.errors import ValidationError

SUBJECT_KINDS = ("kvk", "persoon", "vestiging", "rechtspersoon")


@dataclass(slots=True)
class EntryView:
    """One entry with its actor, as pages and the CLI show it."""

    seq: int
    started_at: dt.datetime
    name: str
    status: str
    rule: str
    processing_activity: str
    collaboration_id: int | None
    legal_basis: str
    username: str
    organisation_code: str
    role: str
    object_type: str
    object_id: str
    trace_id: str
    span_id: str
    parent_span_id: str | None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """The action's Dutch description from the registry (the stored name when unregistered)."""
        return describe(self.name)

    @property
    def sealed(self) -> bool:
        """False while the entry waits for the appender (its ``seq`` is still provisional)."""
        return self.seq < PENDING_BASE


@dataclass(slots=True)
class AuditFilter:
    """Filters of the audit viewer; every field optional."""

    username: str = ""
    organisation_code: str = ""
    name: str = ""
    status: str = ""
    processing_activity: str = ""
    trace_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def parse_subject(text: str) -> tuple[str, str]:
    """``12345678`` (KvK), ``persoon:42`` / ``vestiging:7``, or a searched ``naam:…``, ``straat:…``,
    ``adres:1234AB 5`` or ``vestigingsnummer:…`` → (kind, value); ValidationError otherwise."""
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return "kvk", text
    searched = re.fullmatch(r"(naam|straat|adres|vestigingsnummer):\s*(.{1,200})", text, flags=re.IGNORECASE)
    if searched is not None:  # what was searched for, pseudonymised as search.results stores it
        kind, value = searched.group(1).lower(), " ".join(searched.group(2).split())
        if kind == "adres":
            value = re.sub(r"^(\d{4})\s*([A-Za-z]{2})", r"\1\2", value)
        return ("zoeknaam" if kind == "naam" else kind), value
    match = re.fullmatch(r"(kvk|persoon|vestiging|rechtspersoon):(\d{1,18})", text.lower())
    if match is None:
        raise ValidationError(
            "Geef een KvK-nummer (8 cijfers) of soort:nummer, bijvoorbeeld persoon:42 of vestiging:7."
        )
    kind, value = match.groups()
    if kind == "kvk" and len(value) != 8:
        raise ValidationError("Een KvK-nummer heeft 8 cijfers.")
    return kind, value


def _views(session: Session, query: Select[Any]) -> list[EntryView]:
    rows = session.execute(query).all()
    return [
        EntryView(
            seq=e.seq,
            started_at=e.started_at,
            name=e.name,
            status=e.status,
            rule=e.rule,
            processing_activity=e.processing_activity,
            collaboration_id=e.collaboration_id,
            legal_basis=e.legal_basis,
            username=a.username,
            organisation_code=a.organisation_code,
            role=a.role,
            object_type=e.object_type,
            object_id=e.object_id,
            trace_id=e.trace_id,
            span_id=e.span_id,
            parent_span_id=e.parent_span_id,
            details=e.details,
        )
        for e, a in rows
    ]


def _base() -> Select[Any]:
    query: Select[Any] = select(AuditEntry, AuditActor)  # type: ignore[assignment]
    return query.join(AuditActor, AuditActor.id == AuditEntry.actor_id)


def search(
    session: Session, flt: AuditFilter, *, limit: int = 50, offset: int = 0, oldest_first: bool = False
) -> tuple[list[EntryView], int]:
    """Entries matching ``flt``, newest first (or oldest first), and how many match in all."""
    query = _base()
    if flt.username:
        query = query.where(AuditActor.username == flt.username)
    if flt.organisation_code:
        query = query.where(AuditActor.organisation_code == flt.organisation_code)
    if flt.name:
        query = query.where(AuditEntry.name == flt.name)
    if flt.status:
        query = query.where(AuditEntry.status == flt.status)
    if flt.processing_activity:
        query = query.where(AuditEntry.processing_activity == flt.processing_activity)
    if flt.trace_id:
        query = query.where(AuditEntry.trace_id == flt.trace_id)
    if flt.since:
        query = query.where(AuditEntry.started_at >= dt.datetime.combine(flt.since, dt.time(), dt.UTC))
    if flt.until:
        query = query.where(
            AuditEntry.started_at < dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    order = AuditEntry.seq.asc() if oldest_first else AuditEntry.seq.desc()
    rows = _views(session, query.order_by(order).offset(offset).limit(limit))
    return rows, total


def for_subject(session: Session, keys: AuditKeys, kind: str, value: str, *, limit: int = 1000) -> list[EntryView]:
    """Everything done with one data subject, oldest first (found through its keyed pseudonym)."""
    pseudonym = keys.pseudonym(kind, value)
    seqs = select(AuditSubject.entry_seq).where(AuditSubject.kind == kind, AuditSubject.pseudonym == pseudonym)
    return _views(session, _base().where(AuditEntry.seq.in_(seqs)).order_by(AuditEntry.seq).limit(limit))


def signed_checkpoints(checkpoints: CheckpointLog, keys: AuditKeys) -> tuple[list[Checkpoint], list[str]]:
    """The validly signed tree heads in the file, and what is wrong with the file's other lines."""
    found, broken = checkpoints.read()
    problems = [f"regel {number} van {checkpoints.path} is geen checkpoint" for number in broken]
    public = public_key_hex(keys.checkpoint)
    valid: list[Checkpoint] = []
    for checkpoint in found:
        if signature_holds(checkpoint, public):
            valid.append(checkpoint)
        else:
            problems.append(
                f"het checkpoint van {checkpoint.at} ({checkpoint.size} regels) in {checkpoints.path} is niet "
                "door deze installatie ondertekend"
            )
    return valid, problems


def latest_checkpoint(checkpoints: CheckpointLog, keys: AuditKeys) -> tuple[Checkpoint | None, list[str]]:
    """The largest validly signed tree head in the file, and what is wrong with the file's other lines."""
    valid, problems = signed_checkpoints(checkpoints, keys)
    return max(valid, key=lambda c: c.size, default=None), problems


def verify_log(
    engine: Engine,
    keys: AuditKeys,
    checkpoints: CheckpointLog | None = None,
    *,
    pending_bound: dt.timedelta = dt.timedelta(minutes=1),
) -> ChainVerdict:
    """Verify the whole chain in one read snapshot, against the newest signed checkpoint when given."""
    signed, problems = signed_checkpoints(checkpoints, keys) if checkpoints is not None else ([], [])
    checkpoint = max(signed, key=lambda c: c.size, default=None)
    with _snapshot(engine) as connection:
        verdict = verify(connection, keys, signed, pending_bound=pending_bound)
    verdict.problems.extend(problems)
    if checkpoints is not None:
        if checkpoint is not None:
            verdict.notes.append(
                f"Getoetst aan {len(signed)} ondertekende checkpoints in {checkpoints.path}, het laatste van "
                f"{checkpoint.at}: {checkpoint.size} regels, wortel {checkpoint.root[:16]}…."
            )
        elif verdict.checked:
            verdict.notes.append(
                f"Geen ondertekend checkpoint in {checkpoints.path}: alleen de keten in de database is getoetst; "
                "`plein audit seal` schrijft er een."
            )
    return verdict


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one moment, so a sealer at work is not mistaken for tampering."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection
            return
        connection.exec_driver_sql("BEGIN")  # SQLite: a read transaction holds its WAL snapshot
        try:
            yield connection
        finally:
            connection.rollback()

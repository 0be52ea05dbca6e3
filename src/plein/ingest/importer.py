"""Streaming, idempotent, resumable import of one partner file into one source.

The file is read one row at a time and written in chunks; every chunk commits its records, its
quarantined rows and the run's checkpoint in one transaction. A crash therefore loses at most the
chunk in flight, and a rerun of the same file resumes at the checkpoint. Records are keyed by
(organisation, system, source key): an identical row changes nothing, a corrected row updates its
record. Every row read ends up stored or quarantined: rows in = stored + quarantined.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.core.models import ImportBatch, Inspection, Permit, Record, Report, Transport, utcnow
from plein.core.vocabulary import BatchKind, RunStatus
from plein.errors import Conflict, ValidationError
from plein.ingest.authority import authorise_actor_for_source
from plein.ingest.csvlines import count_lines
from plein.ingest.mapping import Mapping
from plein.ingest.models import (
    IngestedRecord,
    IngestRun,
    IngestSource,
    QuarantinedRow,
    QuarantineStatus,
    new_lease_owner,
)
from plein.ingest.readers import RawRow, RowSource, open_rows
from plein.ingest.sources import get_source, source_mapping
from plein.ingest.taxonomy import ensure_taxonomy, vocabulary
from plein.ingest.transform import AllowedCodes, MappedRow, RowProblem, map_row
from plein.policy.gate import Gate, system_gate
from plein.policy.register import AANLEVERING
from plein.policy.roles import Actor
from plein.store.bulk import bulk_insert
from plein.store.engine import session_factory

DETAIL_TABLES: dict[str, Table] = {
    "inspectie": Inspection.__table__,  # type: ignore[dict-item]
    "vergunning": Permit.__table__,  # type: ignore[dict-item]
    "melding": Report.__table__,  # type: ignore[dict-item]
    "transport": Transport.__table__,  # type: ignore[dict-item]
}
RECORD: Table = Record.__table__  # type: ignore[assignment]
INGESTED: Table = IngestedRecord.__table__  # type: ignore[assignment]
QUARANTINE: Table = QuarantinedRow.__table__  # type: ignore[assignment]
RUN: Table = IngestRun.__table__  # type: ignore[assignment]

Progress = Callable[[int, int, int], None]
"""Called after each chunk with (rows done, bytes read, file size)."""


@dataclass(frozen=True)
class RunSummary:
    """What one import did, for the CLI, the web page and tests."""

    run_id: int
    status: str
    rows_in: int
    rows_new: int
    rows_updated: int
    rows_unchanged: int
    rows_quarantined: int
    rows_duplicate: int
    resumed_from: int
    messages: list[str]
    file_lines: int | None = None
    lines_read: int | None = None

    @property
    def rows_stored(self) -> int:
        """Rows that reached a record."""
        return self.rows_new + self.rows_updated + self.rows_unchanged


@dataclass
class _Context:
    run_id: int
    batch_id: int
    source_id: int
    organisation_id: int
    source_system: str
    mapping: Mapping
    vocabulary: AllowedCodes
    owner: str


class ImportBusy(Conflict):
    """The same file is being imported into the same source by another, living process."""


def file_fingerprint(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def file_lines(path: Path) -> int:
    """Physical lines of a file, counted in its bytes (not by the CSV reader, which it checks)."""
    with path.open("rb") as handle:
        return count_lines(handle)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(values, default=str, ensure_ascii=False))


def _start_run(
    engine: Engine, source_code: str, path: Path, display_name: str, actor: Actor | None
) -> tuple[IngestRun, Mapping, AllowedCodes, IngestSource]:
    sessions = session_factory(engine)
    with sessions.begin() as session:
        source = get_source(session, source_code)
        authorise_actor_for_source(session, actor, source, AuditAction.SOURCE_IMPORT)
        mapping = source_mapping(source)
        ensure_taxonomy(session)
    sha, size = file_fingerprint(path)
    owner = new_lease_owner()
    with sessions.begin() as session:
        source = get_source(session, source_code)
        # Take the source row's lock first (row lock on PostgreSQL, write lock on SQLite), so two
        # processes starting the same file one after the other see each other's run and lease.
        session.execute(update(IngestSource).where(IngestSource.id == source.id).values(code=IngestSource.code))
        run = open_run(session, source, sha)
        if run is not None and run.is_alive():
            raise ImportBusy(busy_message(source, run))
        if run is None:
            batch = ImportBatch(
                organisation_id=source.organisation_id,
                source_system=source.source_system,
                kind=BatchKind.IMPORT,
                description=f"{source.code}: {display_name}",
            )
            session.add(batch)
            session.flush()
            run = IngestRun(
                source_id=source.id,
                import_batch_id=batch.id,
                file_name=display_name[:260],
                file_sha256=sha,
                file_size=size,
                status=RunStatus.RUNNING,
                messages=[],
                rows_in=0,
                rows_new=0,
                rows_updated=0,
                rows_unchanged=0,
                rows_quarantined=0,
                rows_duplicate=0,
                next_row=0,
                file_lines=file_lines(path) if mapping.format == "csv" else None,
            )
            session.add(run)
            session.flush()
        run.owner, run.heartbeat_at = owner, utcnow()
        vocab = vocabulary(session)
        gate = ingest_gate(session, source)
        gate.check_fields(mapping.fields)
        gate.authorise_record_write(
            source.organisation_id,
            action=AuditAction.RECORDS_IMPORT,
            object_id=f"importrun:{run.id}",
        )
    return run, mapping, vocab, source


def open_run(session: Session, source: IngestSource, sha: str) -> IngestRun | None:
    """The unfinished run of this file in this source (alive or interrupted), if any."""
    return session.scalars(
        select(IngestRun)
        .where(IngestRun.source_id == source.id, IngestRun.file_sha256 == sha, IngestRun.status == RunStatus.RUNNING)
        .order_by(IngestRun.id.desc())
    ).first()


def busy_message(source: IngestSource, run: IngestRun) -> str:
    """Why a second import of the same file is refused while the first one's process is alive."""
    beat = run.heartbeat_at.strftime("%H:%M:%S") if run.heartbeat_at else "?"
    return (
        f"Dit bestand wordt al ingelezen in bron {source.code} (import {run.id}, laatst actief om {beat} UTC, "
        f"regel {run.next_row}). Wacht tot die import klaar is; een onderbroken import wordt na twee minuten "
        "zonder voortgang hervat wanneer u het bestand opnieuw inleest."
    )


def ingest_gate(session: Session, source: IngestSource) -> Gate:
    """The policy gate for an import: the delivering organisation's system actor, purpose aanlevering."""
    return system_gate(session, f"ingest:{source.code}", AANLEVERING, organisation_id=source.organisation_id)


def _refuse_run(engine: Engine, run_id: int, message: str) -> None:
    with session_factory(engine).begin() as session:
        run = session.get(IngestRun, run_id)
        assert run is not None
        run.status = RunStatus.REFUSED
        run.messages = [*run.messages, message]
        run.finished_at = utcnow()
        batch = session.get(ImportBatch, run.import_batch_id)
        if batch is not None:
            batch.status = RunStatus.FAILED
            batch.finished_at = run.finished_at


def import_file(
    engine: Engine,
    source_code: str,
    path: Path,
    *,
    chunk_size: int = 2000,
    progress: Progress | None = None,
    display_name: str | None = None,
    actor: Actor | None = None,
) -> RunSummary:
    """Import ``path`` into the source; resumes an interrupted run of the same file.

    ``actor`` is the person who asked for the import (web upload): the gate refuses anyone outside
    the source's own organisation. Without one the caller is the platform's operator (CLI, demo).
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"Bestand {path} bestaat niet of is geen bestand.")
    run, mapping, vocab, source = _start_run(engine, source_code, path, display_name or path.name, actor)
    resumed_from = run.next_row
    try:
        reader = open_rows(path, mapping)
    except ValidationError as exc:
        _refuse_run(engine, run.id, exc.message)
        raise
    context = _Context(
        run.id, run.import_batch_id, source.id, source.organisation_id, source.source_system, mapping, vocab, run.owner
    )
    notes = [f"kolom {c!r} niet ingelezen: Wgs-categorie {cat}" for c, cat in reader.refused.items()]
    with reader.handle:
        rows: Iterator[RawRow] = (r for r in reader.rows if r.number > resumed_from)
        total = run.rows_in
        with engine.begin() as connection:
            if notes and resumed_from == 0:
                _append_messages(connection, run.id, notes)
        chunks = 0
        while chunk := list(islice(rows, chunk_size)):
            if chunks in ANALYZE_AFTER_CHUNKS:
                _refresh_statistics(engine)
            with engine.begin() as connection:
                prefer_custom_plans(connection)
                _store_chunk(connection, context, chunk, reader.position())
            chunks += 1
            total += len(chunk)
            if progress is not None:
                progress(total, reader.position(), run.file_size)
    return _finish(engine, run.id, resumed_from, reader)


ANALYZE_AFTER_CHUNKS = frozenset({0, 2, 8, 32, 128, 512})


def _refresh_statistics(engine: Engine) -> None:
    """On PostgreSQL, let the planner see a growing table, or key lookups turn into full scans."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE record")
        connection.exec_driver_sql("ANALYZE ingest_record")


def _append_messages(connection: Connection, run_id: int, messages: list[str]) -> None:
    current = connection.execute(select(RUN.c.messages).where(RUN.c.id == run_id)).scalar_one()
    connection.execute(update(RUN).where(RUN.c.id == run_id).values(messages=[*(current or []), *messages]))


def _reconcile(run: IngestRun, reader: RowSource) -> list[str]:
    """What does not add up: rows in against stored + quarantined, and lines read against the file's lines."""
    problems = []
    if run.rows_in != run.rows_stored + run.rows_quarantined:
        problems.append(
            f"de tellingen kloppen niet: {run.rows_in} regels gelezen, {run.rows_stored} opgeslagen en "
            f"{run.rows_quarantined} in quarantaine"
        )
    run.lines_read = reader.lines_accounted()
    if run.file_lines is not None and run.lines_read != run.file_lines:
        problems.append(
            f"het bestand heeft {run.file_lines} regels, de lezer verwerkte er {run.lines_read}: "
            f"{abs(run.file_lines - (run.lines_read or 0))} regels zijn niet als rij gelezen. Controleer het bestand "
            "(scheidingsteken, aanhalingstekens, regeleinden) en lees het opnieuw in"
        )
    return problems


def _finish(engine: Engine, run_id: int, resumed_from: int, reader: RowSource) -> RunSummary:
    with session_factory(engine).begin() as session:
        run = session.get(IngestRun, run_id)
        assert run is not None
        problems = _reconcile(run, reader)
        run.status = RunStatus.INCOMPLETE if problems else RunStatus.DONE
        run.finished_at = utcnow()
        run.owner, run.heartbeat_at = "", None
        run.messages = [*run.messages, *problems]
        if run.rows_in == 0:
            run.messages = [*run.messages, "het bestand bevat geen gegevensregels"]
        ingest_gate(session, run.source).audit(
            AuditAction.RECORDS_IMPORT_DONE,
            object_type="importrun",
            object_id=str(run.id),
            details={
                "regels": run.rows_in,
                "opgeslagen": run.rows_stored,
                "quarantaine": run.rows_quarantined,
                "bestand": run.file_name,
                "bestandsregels": run.file_lines,
                "status": run.status,
            },
        )
        batch = session.get(ImportBatch, run.import_batch_id)
        if batch is not None:
            batch.status = RunStatus.DONE
            batch.finished_at = run.finished_at
            batch.rows_in = run.rows_in
            batch.rows_stored = run.rows_stored
            batch.rows_quarantined = run.rows_quarantined
        return RunSummary(
            run.id,
            run.status,
            run.rows_in,
            run.rows_new,
            run.rows_updated,
            run.rows_unchanged,
            run.rows_quarantined,
            run.rows_duplicate,
            resumed_from,
            list(run.messages),
            run.file_lines,
            run.lines_read,
        )


def _store_chunk(connection: Connection, context: _Context, chunk: list[RawRow], position: int = 0) -> None:
    mapped: list[MappedRow] = []
    problems: list[tuple[RawRow, RowProblem]] = []
    for raw in chunk:
        try:
            mapped.append(map_row(raw, context.mapping, context.vocabulary))
        except RowProblem as problem:
            problems.append((raw, problem))
    counts = store_mapped(connection, context, mapped)
    counts["rows_quarantined"] = quarantine(connection, context, problems)
    run = connection.execute(select(RUN).where(RUN.c.id == context.run_id)).mappings().one()
    moved = connection.execute(
        update(RUN)
        .where(RUN.c.id == context.run_id, RUN.c.owner == context.owner)
        .values(
            rows_in=run["rows_in"] + len(chunk),
            next_row=chunk[-1].number,
            bytes_read=position or None,
            heartbeat_at=utcnow(),
            **{key: run[key] + value for key, value in counts.items()},
        )
    )
    if moved.rowcount != 1:  # rolls back this chunk: the process that took the run over stores it
        raise ImportBusy(
            f"Import {context.run_id} is overgenomen door een ander proces (dit proces liet te lang niets van "
            "zich horen); dit proces stopt zonder verder te schrijven."
        )


def quarantine(connection: Connection, context: _Context, problems: list[tuple[RawRow, RowProblem]]) -> int:
    """Keep each bad row verbatim with its reason; an identical open row is not stored twice."""
    if not problems:
        return 0
    entries = []
    for raw, problem in problems:
        values = _jsonable(raw.values)
        digest = hashlib.sha256(
            json.dumps([values, problem.message], sort_keys=True, ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        entries.append((raw, problem, values, digest))
    existing = set(
        connection.execute(
            select(QUARANTINE.c.raw_hash).where(
                QUARANTINE.c.source_id == context.source_id,
                QUARANTINE.c.status == QuarantineStatus.OPEN,
                one_of(connection.dialect.name, QUARANTINE.c.raw_hash, [e[3] for e in entries]),
            )
        ).scalars()
    )
    now = utcnow()
    fresh = []
    for raw, problem, values, digest in entries:
        if digest in existing:
            continue
        existing.add(digest)
        fresh.append(
            {
                "run_id": context.run_id,
                "source_id": context.source_id,
                "row_number": raw.number,
                "raw": values,
                "raw_hash": digest,
                "field": problem.field[:80],
                "reason": problem.message,
                "status": QuarantineStatus.OPEN.value,
                "record_id": None,
                "created_at": now,
            }
        )
    if fresh:
        connection.execute(insert(QUARANTINE), fresh)
    return len(problems)


def prefer_custom_plans(connection: Connection) -> None:
    """On PostgreSQL, plan this transaction's statements for their actual keys, never from a cached plan.

    The driver prepares a statement run often; its generic plan, made when the table was small, looks
    up the organisation and system on the index and then filters every one of their records against
    the array of keys (650 ms per chunk at 4,000 records, growing with the table), where a plan for the
    actual keys uses the whole index (15 ms). ``SET LOCAL`` ends with the transaction.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


def one_of(dialect: str, column: Any, values: list[str]) -> ColumnElement[bool]:
    """``column IN values`` that PostgreSQL plans on the column's index however often it runs.

    One array parameter, ``= ANY(:values)``, instead of an IN list of 2,000 parameters: the same
    statement for any number of keys, cheap to plan, and (with ``prefer_custom_plans``) planned as an
    index lookup of the keys.
    """
    if dialect == "postgresql":
        return column == any_(literal(values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


def existing_records_query(dialect: str, organisation_id: int, source_system: str, keys: list[str]) -> Select[Any]:
    """The records (and their last import's row hash) of these source keys: the lookup of every chunk."""
    return (
        select(RECORD.c.id, RECORD.c.source_key, RECORD.c.kind, INGESTED.c.row_hash, INGESTED.c.run_id)
        .select_from(RECORD.outerjoin(INGESTED, INGESTED.c.record_id == RECORD.c.id))
        .where(
            RECORD.c.source_organisation_id == organisation_id,
            RECORD.c.source_system == source_system,
            one_of(dialect, RECORD.c.source_key, keys),
        )
    )


def store_mapped(connection: Connection, context: _Context, rows: list[MappedRow]) -> dict[str, int]:
    """Insert new records, update changed ones, leave identical ones alone; returns the counts."""
    counts = {"rows_new": 0, "rows_updated": 0, "rows_unchanged": 0, "rows_duplicate": 0}
    if not rows:
        return counts
    latest: dict[str, MappedRow] = {}
    for row in rows:
        if row.source_key in latest:
            counts["rows_duplicate"] += 1
            counts["rows_updated"] += 1
        latest[row.source_key] = row
    existing = {
        item.source_key: item
        for item in connection.execute(
            existing_records_query(
                connection.dialect.name, context.organisation_id, context.source_system, list(latest)
            )
        )
    }
    now = utcnow()
    new_rows = [row for key, row in latest.items() if key not in existing]
    changed: list[tuple[Any, MappedRow]] = []
    for key, row in latest.items():
        item = existing.get(key)
        if item is None:
            continue
        if item.run_id == context.run_id:
            counts["rows_duplicate"] += 1
        if item.row_hash == row.row_hash:
            counts["rows_unchanged"] += 1
        else:
            changed.append((item, row))
    if new_rows:
        _insert_new(connection, context, new_rows, now)
        counts["rows_new"] += len(new_rows)
    if changed:
        _update_changed(connection, context, changed, now)
        counts["rows_updated"] += len(changed)
    return counts


def _insert_new(connection: Connection, context: _Context, rows: list[MappedRow], now: Any) -> None:
    base = [
        {
            **row.base,
            "kind": row.kind,
            "establishment_id": None,
            "source_organisation_id": context.organisation_id,
            "source_system": context.source_system,
            "import_batch_id": context.batch_id,
            "crawl_id": None,
            "source_key": row.source_key,
            "received_at": now,
        }
        for row in rows
    ]
    bulk_insert(connection, RECORD, base)
    found = connection.execute(
        select(RECORD.c.source_key, RECORD.c.id).where(
            RECORD.c.source_organisation_id == context.organisation_id,
            RECORD.c.source_system == context.source_system,
            one_of(connection.dialect.name, RECORD.c.source_key, [row.source_key for row in rows]),
        )
    )
    ids = {source_key: record_id for source_key, record_id in found}
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append({"id": ids[row.source_key], **row.detail})
    for kind, details in by_kind.items():
        bulk_insert(connection, DETAIL_TABLES[kind], details)
    bulk_insert(
        connection,
        INGESTED,
        [
            {
                "record_id": ids[row.source_key],
                "source_id": context.source_id,
                "run_id": context.run_id,
                "row_number": row.number,
                "row_hash": row.row_hash,
            }
            for row in rows
        ],
    )


def _update_changed(connection: Connection, context: _Context, changed: list[tuple[Any, MappedRow]], now: Any) -> None:
    for item, row in changed:
        if item.kind != row.kind:
            raise ValidationError(
                f"Record {row.source_key!r} is eerder als {item.kind} opgeslagen en nu als {row.kind}; "
                "een bron kan de soort van een record niet wijzigen."
            )
    base_columns = [*changed[0][1].base]
    connection.execute(
        update(RECORD)
        .where(RECORD.c.id == bindparam("_id"))
        .values({c: bindparam(c) for c in [*base_columns, "import_batch_id"]}),
        [{"_id": item.id, **row.base, "import_batch_id": context.batch_id} for item, row in changed],
    )
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item, row in changed:
        by_kind.setdefault(row.kind, []).append({"_id": item.id, **row.detail})
    for kind, details in by_kind.items():
        table = DETAIL_TABLES[kind]
        columns = [c for c in details[0] if c != "_id"]
        connection.execute(
            update(table).where(table.c.id == bindparam("_id")).values({c: bindparam(c) for c in columns}),
            details,
        )
    with_hash = [(item, row) for item, row in changed if item.row_hash is not None]
    if with_hash:
        connection.execute(
            update(INGESTED)
            .where(INGESTED.c.record_id == bindparam("_id"))
            .values(row_hash=bindparam("h"), run_id=bindparam("r"), row_number=bindparam("n")),
            [{"_id": item.id, "h": row.row_hash, "r": context.run_id, "n": row.number} for item, row in with_hash],
        )
    without = [(item, row) for item, row in changed if item.row_hash is None]
    if without:
        connection.execute(
            insert(INGESTED),
            [
                {
                    "record_id": item.id,
                    "source_id": context.source_id,
                    "run_id": context.run_id,
                    "row_number": row.number,
                    "row_hash": row.row_hash,
                }
                for item, row in without
            ],
        )


def reprocess_quarantined(
    engine: Engine, quarantine_id: int, values: dict[str, Any], *, actor: Actor | None = None
) -> QuarantineStatus:
    """Retry one quarantined row with corrected values; returns its new status (verwerkt | open).

    ``actor`` (the beheerder correcting the row) must belong to the source's organisation.
    """
    sessions = session_factory(engine)
    with sessions.begin() as session:
        entry = session.get(QuarantinedRow, quarantine_id)
        if entry is None:
            raise ValidationError(f"Quarantaineregel {quarantine_id} bestaat niet.")
        if entry.status != QuarantineStatus.OPEN:
            raise ValidationError(f"Quarantaineregel {quarantine_id} is al verwerkt.")
        run = session.get(IngestRun, entry.run_id)
        source = session.get(IngestSource, entry.source_id)
        assert run is not None and source is not None
        authorise_actor_for_source(session, actor, source, AuditAction.QUARANTINE_REPROCESS)
        ensure_taxonomy(session)
        ingest_gate(session, source).authorise_record_write(
            source.organisation_id, action=AuditAction.QUARANTINE_REPROCESS, object_id=f"quarantaine:{entry.id}"
        )
        context = _Context(
            run.id,
            run.import_batch_id,
            source.id,
            source.organisation_id,
            source.source_system,
            source_mapping(source),
            vocabulary(session),
            run.owner,
        )
        raw = RawRow(entry.row_number, {**entry.raw, **values})
        try:
            row = map_row(raw, context.mapping, context.vocabulary)
        except RowProblem as problem:
            entry.raw = _jsonable(raw.values)
            entry.reason = problem.message
            entry.field = problem.field[:80]
            return QuarantineStatus.OPEN
        counts = store_mapped(session.connection(), context, [row])
        record_id = (
            session.connection()
            .execute(
                select(RECORD.c.id).where(
                    and_(
                        RECORD.c.source_organisation_id == context.organisation_id,
                        RECORD.c.source_system == context.source_system,
                        RECORD.c.source_key == row.source_key,
                    )
                )
            )
            .scalar_one()
        )
        entry.status = QuarantineStatus.PROCESSED
        entry.record_id = record_id
        entry.raw = _jsonable(raw.values)
        run.rows_quarantined -= 1
        run.rows_new += counts["rows_new"]
        run.rows_updated += counts["rows_updated"]
        run.rows_unchanged += counts["rows_unchanged"]
        return QuarantineStatus.PROCESSED

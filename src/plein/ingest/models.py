"""Tables of the ingest module: sources, import runs, quarantined rows, and which row made a record.

An import run wraps the core ``ImportBatch`` (the unit of provenance) with what only ingest needs:
the file's fingerprint, the checkpoint that makes a run resumable, and the per-outcome counts.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plein.core.models import Base, BigId, ImportBatch, Organisation, utcnow
from plein.core.vocabulary import RunStatus


class IngestSource(Base):
    """A registered partner source: which organisation, which system, which mapping."""

    __tablename__ = "ingest_source"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    source_system: Mapped[str] = mapped_column(String(80))
    mapping_name: Mapped[str] = mapped_column(String(80), default="")
    mapping_yaml: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation] = relationship()


LEASE = dt.timedelta(seconds=120)  # no chunk committed for this long: the importing process is gone


def new_lease_owner() -> str:
    """A process's name on a run's lease: host, process id and a random part (``IngestRun.is_alive`` reads it)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class IngestRun(Base):
    """One import of one file into one source; ``next_row`` is the committed checkpoint."""

    __tablename__ = "ingest_run"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("ingest_source.id"), index=True)
    import_batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(260))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    rows_in: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_new: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_updated: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_unchanged: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_quarantined: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_duplicate: Mapped[int] = mapped_column(BigInteger, default=0)
    next_row: Mapped[int] = mapped_column(BigInteger, default=0)
    messages: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # The lease (0007): which process imports this run, and when it last committed a chunk.
    owner: Mapped[str] = mapped_column(String(120), default="", server_default="")
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # CSV: physical lines of the file by a byte count, and the lines the reader put in a row or skipped as
    # header or blank; they must be equal for the run to be 'voltooid'.
    file_lines: Mapped[int | None] = mapped_column(BigInteger, default=None)
    lines_read: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Bytes of the file consumed when the last chunk was committed (0021): a running import's share of its file.
    bytes_read: Mapped[int | None] = mapped_column(BigInteger, default=None)

    source: Mapped[IngestSource] = relationship()
    batch: Mapped[ImportBatch] = relationship()

    def is_alive(self, now: dt.datetime | None = None) -> bool:
        """True while a process holds the lease: it committed a chunk less than ``LEASE`` ago and,
        when it runs on this machine, it still exists (so a crash here is known at once)."""
        if self.status != RunStatus.RUNNING or self.heartbeat_at is None or not self.owner:
            return False
        beat = self.heartbeat_at if self.heartbeat_at.tzinfo else self.heartbeat_at.replace(tzinfo=dt.UTC)
        if (now or utcnow()) - beat >= LEASE:
            return False
        host, _, rest = self.owner.partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname()[:60] and pid.isdigit():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return False
            except PermissionError:  # exists, owned by another user
                return True
        return True

    @property
    def display_status(self) -> str:
        """``bezig`` only while a process works on it; a run whose process stopped is ``onderbroken``."""
        if self.status == RunStatus.RUNNING and not self.is_alive():
            return RunStatus.INTERRUPTED
        return self.status

    @property
    def rows_stored(self) -> int:
        """Rows that reached a record: new, updated or already identical."""
        return self.rows_new + self.rows_updated + self.rows_unchanged


class QuarantineStatus(StrEnum):
    """A quarantined row waits (``open``) until a correction lets it be stored (``verwerkt``)."""

    OPEN = "open"
    PROCESSED = "verwerkt"


class QuarantinedRow(Base):
    """A row that could not be stored, kept verbatim with the reason, until corrected."""

    __tablename__ = "ingest_quarantine"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_run.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("ingest_source.id"), index=True)
    row_number: Mapped[int] = mapped_column(BigInteger)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw_hash: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(80), default="")
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=QuarantineStatus.OPEN, index=True)
    record_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IngestedRecord(Base):
    """Which source and run produced a record, and the hash of the mapped row (for idempotency)."""

    __tablename__ = "ingest_record"
    __table_args__ = (UniqueConstraint("record_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("ingest_source.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_run.id"), index=True)
    row_number: Mapped[int] = mapped_column(BigInteger)
    row_hash: Mapped[str] = mapped_column(String(64))


class TaxonomyTerm(Base):
    """A term of plein's code lists (outcomes, severities) as a beheerder maintains them."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)

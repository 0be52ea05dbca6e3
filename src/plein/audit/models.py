"""Audit-log tables after the Logboek Dataverwerkingen standard (Logius).

One ``audit_entry`` per action (a span: trace id, span id, parent span, name, start, end, status,
processing activity). Data subjects are stored pseudonymised (keyed hash) in ``audit_subject``;
actor identity lives in ``audit_actor``, linked by id. Every entry carries ``prev_hash`` and ``hash``
chaining it to the previous one; ``audit_chain_head`` holds the last link, so that cutting off the
tail is detected too. An entry not yet sealed has a provisional ``seq`` above ``PENDING_BASE``
(chain.py), an empty ``prev_hash`` and its keyed MAC as ``hash``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from plein.core.models import Base, BigId


class AuditActor(Base):
    """Who acted: one row per distinct (user, organisation, role)."""

    __tablename__ = "audit_actor"
    __table_args__ = (UniqueConstraint("fingerprint"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    username: Mapped[str] = mapped_column(String(80), default="")
    organisation_code: Mapped[str] = mapped_column(String(40), default="")
    role: Mapped[str] = mapped_column(String(30), default="")


class AuditEntry(Base):
    """One processing action; ``seq`` is its place in the hash chain (1, 2, 3, …)."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    trace_id: Mapped[str] = mapped_column(String(32), index=True)
    span_id: Mapped[str] = mapped_column(String(16))
    parent_span_id: Mapped[str | None] = mapped_column(String(16), default=None)
    name: Mapped[str] = mapped_column(String(80), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), index=True)  # ok | geweigerd | fout
    rule: Mapped[str] = mapped_column(String(40), default="")
    processing_activity: Mapped[str] = mapped_column(String(60), index=True)
    collaboration_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("audit_actor.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(80), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditSubject(Base):
    """A data subject an entry concerns: kind (``kvk``, ``persoon``, ``vestiging``) and keyed hash.

    Keyed by (entry, place in the entry's list), stored in that order (no row id on SQLite), with no
    foreign key: every read writes a few dozen of these rows, and a key per row, a second index and a
    foreign-key trigger per row cost more than the entry itself. The chain covers them instead: each
    entry's hash includes its subjects, and ``verify`` also refuses subject rows outside the chain.
    """

    __tablename__ = "audit_subject"
    __table_args__ = (
        PrimaryKeyConstraint("entry_seq", "position", name="pk_audit_subject"),
        {"sqlite_with_rowid": False},
    )

    entry_seq: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)


class AuditChainHead(Base):
    """The single row holding the newest link and tree head: only the sealer locks and writes it.

    ``frontier`` holds the roots of the Merkle tree's perfect subtrees, so a batch extends the tree
    without reading older entries; ``root_hash`` is the tree's root at ``last_seq`` leaves.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[str | None] = mapped_column(Text, default=None)
    root_hash: Mapped[str | None] = mapped_column(String(64), default=None)

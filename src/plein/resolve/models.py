"""Tables of the resolution module: runs, links with reasons, reviewer decisions, stable subjects."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plein.core.models import Base, BigId, utcnow
from plein.core.vocabulary import RunStatus


class LinkStatus(StrEnum):
    """Where a link stands: automatic, waiting for a reviewer, or decided by one."""

    ACCEPTED = "geaccepteerd"  # automatic, above the accept threshold
    TO_REVIEW = "te_beoordelen"  # in the review queue
    CONFIRMED = "bevestigd"  # by a reviewer
    REJECTED = "afgewezen"  # by a reviewer


LINKED = (LinkStatus.ACCEPTED, LinkStatus.CONFIRMED)  # the links that count as "the same establishment"


class ResolveRun(Base):
    """One run of ``plein resolve``: when, which backend, and what it found."""

    __tablename__ = "resolve_run"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    backend: Mapped[str] = mapped_column(String(20), default="duckdb")
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ResolveLink(Base):
    """A record or partner establishment linked to a canonical establishment, with its reasons.

    ``item_kind`` is ``record`` or ``vestiging``; ``status`` is ``geaccepteerd`` (automatic),
    ``te_beoordelen`` (waiting in the review queue), ``bevestigd`` or ``afgewezen`` (by a reviewer).
    """

    __tablename__ = "resolve_link"
    __table_args__ = (UniqueConstraint("item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(BigInteger)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishment.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    match_weight: Mapped[float | None] = mapped_column(Float, default=None)
    match_probability: Mapped[float | None] = mapped_column(Float, default=None)
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("resolve_run.id"), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewDecision(Base):
    """A reviewer's yes or no on one proposed link; every later run respects it."""

    __tablename__ = "resolve_decision"
    __table_args__ = (UniqueConstraint("item_kind", "item_id", "establishment_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(BigInteger)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishment.id"))
    decision: Mapped[str] = mapped_column(String(5))  # ja | nee
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ResolvedSubject(Base):
    """The stable subject id of each establishment: every establishment of one company-site shares it."""

    __tablename__ = "resolve_subject"

    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishment.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(BigInteger, index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("resolve_run.id"))

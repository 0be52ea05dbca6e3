"""Tables of retention rules and DPIA records (edited by a beheerder, read by the privacy officer)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plein.core.models import Base, BigId, utcnow


class RetentionRule(Base):
    """How long one kind of data is kept, and what happens to it after (``retention.rules``)."""

    __tablename__ = "retention_rule"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Dpia(Base):
    """The data protection impact assessment of one processing activity or one collaboration."""

    __tablename__ = "dpia"
    __table_args__ = (CheckConstraint("(activity_code IS NULL) <> (collaboration_id IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    activity_code: Mapped[str | None] = mapped_column(
        ForeignKey("processing_activity.code", ondelete="CASCADE"), unique=True, default=None
    )
    collaboration_id: Mapped[int | None] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), unique=True, default=None
    )
    status: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Tables of the policy: processing activities, the legal-basis matrix, collaborations and sharing.

Collaborations are the unit of need-to-know: records are shared *into* one, and membership plus the
collaboration's period decide who sees them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plein.core.models import Base, BigId, Organisation, utcnow
from plein.policy.participation import Participation


class ProcessingActivity(Base):
    """One entry of the register of processing activities (verwerkingsregister, AVG art. 30).

    ``scope`` says which data the activity reaches: ``eigen_organisatie`` (own records),
    ``samenwerking`` (records shared into a collaboration), ``aggregaat`` (counts only),
    ``audit`` (the audit log), ``configuratie`` (no case content), ``alle`` (platform processes).
    """

    __tablename__ = "processing_activity"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(30))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LegalBasis(Base):
    """A legal basis for one sender → receiver pair of matrix parties (Table 1 of the covenant).

    A cell whose reading of the source is ``uncertain`` is not in force until a beheerder validates
    it (who, when, with which reference; ``reading`` names the reading of a garbled row she chose).
    """

    __tablename__ = "legal_basis"
    __table_args__ = (UniqueConstraint("from_party", "to_party"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    from_party: Mapped[str] = mapped_column(String(40), index=True)
    to_party: Mapped[str] = mapped_column(String(40), index=True)
    basis: Mapped[str] = mapped_column(Text)
    justification: Mapped[str] = mapped_column(Text, default="")
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by: Mapped[str] = mapped_column(String(80), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    validated_by: Mapped[str] = mapped_column(String(80), default="")
    validated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    validation_reference: Mapped[str] = mapped_column(Text, default="")
    reading: Mapped[str] = mapped_column(String(40), default="")

    @property
    def awaits_validation(self) -> bool:
        """Active but uncertain and not yet validated: not in force."""
        return self.active and self.uncertain and self.validated_at is None

    @property
    def is_in_force(self) -> bool:
        """Active, and either certain or validated by a beheerder."""
        return self.active and (not self.uncertain or self.validated_at is not None)

    @classmethod
    def in_force(cls) -> ColumnElement[bool]:
        """SQL form of ``is_in_force``: the cells the gate may use."""
        return and_(cls.active.is_(True), or_(cls.uncertain.is_(False), cls.validated_at.is_not(None)))


class Collaboration(Base):
    """A thematic table or a RIEC handhavingsknelpunt: who works together, on what, until when."""

    __tablename__ = "collaboration"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))  # thematische_tafel | handhavingsknelpunt
    theme_code: Mapped[str | None] = mapped_column(ForeignKey("theme.code"), default=None)
    scope: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    processing_activity_code: Mapped[str] = mapped_column(ForeignKey("processing_activity.code"))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    participants: Mapped[list[CollaborationParticipant]] = relationship(
        back_populates="collaboration", cascade="all, delete-orphan"
    )
    members: Mapped[list[CollaborationMember]] = relationship(
        back_populates="collaboration", cascade="all, delete-orphan"
    )

    def is_active_on(self, day: dt.date) -> bool:
        """True within [starts_on, ends_on]."""
        return self.starts_on <= day <= self.ends_on

    @property
    def is_wgs(self) -> bool:
        """A handhavingsknelpunt is a Wgs collaboration: the Wgs is the basis among its participants."""
        return self.kind == "handhavingsknelpunt"


class CollaborationParticipant(Base):
    """An organisation taking part in a collaboration, exchanging data or only taking part
    (``policy.participation``: only statutory participants exchange under the Wgs)."""

    __tablename__ = "collaboration_participant"
    __table_args__ = (UniqueConstraint("collaboration_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaboration.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    participation: Mapped[str] = mapped_column(String(30), default=Participation.UITWISSELING.value)

    collaboration: Mapped[Collaboration] = relationship(back_populates="participants")

    @property
    def exchanges(self) -> bool:
        """True when this participant receives and contributes shared records."""
        return self.participation == Participation.UITWISSELING.value

    organisation: Mapped[Organisation] = relationship()


class CollaborationMember(Base):
    """A user working in a collaboration (on behalf of a participating organisation)."""

    __tablename__ = "collaboration_member"
    __table_args__ = (UniqueConstraint("collaboration_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaboration.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)

    collaboration: Mapped[Collaboration] = relationship(back_populates="members")


class SharedRecord(Base):
    """A record shared into a collaboration by its own organisation."""

    __tablename__ = "shared_record"
    __table_args__ = (UniqueConstraint("collaboration_id", "record_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaboration.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    shared_by: Mapped[str] = mapped_column(String(80), default="")
    shared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

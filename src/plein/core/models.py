"""The core domain model: organisations, subjects, addresses and partner records.

Every record and subject carries its provenance (who delivered it, from which system, in which
import batch or crawl, under which source key, when) so that any value can be traced back.
Partner records keep what the partner *reported* about the subject (name, KvK, postcode) beside the
link to an establishment, because identification across partners is imperfect and is redone by the
resolution step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, relationship

from plein.core.vocabulary import RunStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Integer primary keys that autoincrement on SQLite (INTEGER) and are BIGINT on PostgreSQL.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    """Timezone-aware now, the only clock the model uses."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base shared by every module's tables (one metadata, one migration history)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Theme(Base):
    """A supervision theme (afval, asbest, F-gassen, …); records and collaborations belong to one."""

    __tablename__ = "theme"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")


class Organisation(Base):
    """A partner organisation, or one legal-domain side of one (an OD and its BOA's, ILT and ILT-IOD)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    legal_domain: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), default=None)
    matrix_party: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class ImportBatch(Base):
    """One delivery of data: a partner export, a crawl, or a demo seed; the unit of provenance."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    source_system: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # BatchKind
    description: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    rows_in: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_stored: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_quarantined: Mapped[int] = mapped_column(BigInteger, default=0)


class Provenance:
    """Columns that say where a row came from; mixed into every subject and record table."""

    @declared_attr
    def source_organisation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisation.id"), index=True)

    source_system: Mapped[str] = mapped_column(String(80))

    @declared_attr
    def import_batch_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("import_batch.id"), index=True, default=None)

    crawl_id: Mapped[str | None] = mapped_column(String(64), default=None)
    source_key: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Address(Base):
    """A Dutch address with its position (WGS84)."""

    __tablename__ = "address"
    __table_args__ = (
        Index("ix_address_postcode_number", "postcode", "house_number"),
        Index("ix_address_lat_lon", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    street: Mapped[str] = mapped_column(String(120))
    house_number: Mapped[int] = mapped_column(Integer)
    house_number_addition: Mapped[str] = mapped_column(String(10), default="")
    postcode: Mapped[str] = mapped_column(String(7))
    city: Mapped[str] = mapped_column(String(80), index=True)
    municipality: Mapped[str] = mapped_column(String(80), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)

    def one_line(self) -> str:
        """``Straat 12a, 1234 AB Plaats``."""
        number = f"{self.house_number}{self.house_number_addition}"
        return f"{self.street} {number}, {self.postcode} {self.city}"


class LegalEntity(Provenance, Base):
    """A company or other body registered at the KvK (or, in a partner's system, believed to be)."""

    __tablename__ = "legal_entity"
    __table_args__ = (UniqueConstraint("source_organisation_id", "source_system", "source_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kvk: Mapped[str | None] = mapped_column(String(8), index=True, default=None)
    rsin: Mapped[str | None] = mapped_column(String(9), default=None)
    name: Mapped[str] = mapped_column(String(200), index=True)
    legal_form: Mapped[str] = mapped_column(String(20))
    sbi_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    registered_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    dissolved_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    establishments: Mapped[list[Establishment]] = relationship(back_populates="legal_entity")


class Establishment(Provenance, Base):
    """A site where an activity takes place (vestiging / inrichting)."""

    __tablename__ = "establishment"
    __table_args__ = (UniqueConstraint("source_organisation_id", "source_system", "source_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    establishment_number: Mapped[str | None] = mapped_column(String(12), index=True, default=None)
    legal_entity_id: Mapped[int | None] = mapped_column(ForeignKey("legal_entity.id"), index=True, default=None)
    name: Mapped[str] = mapped_column(String(200), index=True)
    trade_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    address_id: Mapped[int] = mapped_column(ForeignKey("address.id"), index=True)
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    sbi_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_main: Mapped[bool] = mapped_column(Boolean, default=True)
    started_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    ended_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    legal_entity: Mapped[LegalEntity | None] = relationship(back_populates="establishments")
    address: Mapped[Address] = relationship()


class Person(Provenance, Base):
    """A natural person, held only as far as needed (name, birth date); personal data everywhere."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("source_organisation_id", "source_system", "source_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    given_name: Mapped[str] = mapped_column(String(80))
    surname_prefix: Mapped[str] = mapped_column(String(20), default="")
    surname: Mapped[str] = mapped_column(String(120), index=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date, default=None)

    def full_name(self) -> str:
        """``Jan van der Berg``."""
        return " ".join(p for p in (self.given_name, self.surname_prefix, self.surname) if p)


class PersonRoleLink(Provenance, Base):
    """A person's role at a legal entity (owner, director, shareholder, partner) over a period."""

    __tablename__ = "person_role"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    legal_entity_id: Mapped[int] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    started_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    ended_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class LegalEntityLink(Provenance, Base):
    """Ownership between legal entities, or succession of a KvK number (a link, never a merge)."""

    __tablename__ = "legal_entity_link"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    from_legal_entity_id: Mapped[int] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    to_legal_entity_id: Mapped[int] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    share_percentage: Mapped[float | None] = mapped_column(Float, default=None)
    started_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")


class Record(Provenance, Base):
    """What a partner recorded about an establishment; the detail lives in one table per kind."""

    __tablename__ = "record"
    __table_args__ = (
        UniqueConstraint("source_organisation_id", "source_system", "source_key"),
        Index("ix_record_establishment_occurred", "establishment_id", "occurred_on"),
        # The gate's need-to-know filter (source organisation) combined with establishments (0006).
        Index(
            "ix_record_source_establishment",
            "source_organisation_id",
            "establishment_id",
            "confidentiality",
            "theme_code",
            "kind",
            "occurred_on",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    establishment_id: Mapped[int | None] = mapped_column(ForeignKey("establishment.id"), default=None)
    theme_code: Mapped[str] = mapped_column(ForeignKey("theme.code"), index=True)
    confidentiality: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    reported_name: Mapped[str] = mapped_column(String(200), default="")
    reported_kvk: Mapped[str] = mapped_column(String(20), default="")
    reported_postcode: Mapped[str] = mapped_column(String(10), default="")
    reported_house_number: Mapped[str] = mapped_column(String(10), default="")

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "record"}

    establishment: Mapped[Establishment | None] = relationship()


class Inspection(Record):
    """An inspection (controle) and its outcome."""

    __tablename__ = "inspection"
    __mapper_args__ = {"polymorphic_identity": "inspectie"}

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    findings: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(30), index=True)
    severity: Mapped[str] = mapped_column(String(20))


class Permit(Record):
    """A permit (vergunning) or notification decision for an activity."""

    __tablename__ = "permit"
    __mapper_args__ = {"polymorphic_identity": "vergunning"}

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    reference: Mapped[str] = mapped_column(String(60))
    activity: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(30))
    valid_until: Mapped[dt.date | None] = mapped_column(Date, default=None)


class Report(Record):
    """A report or complaint (melding) about an establishment; the reporter is never stored."""

    __tablename__ = "report"
    __mapper_args__ = {"polymorphic_identity": "melding"}

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30))


class Transport(Record):
    """A waste or manure transport; the base record's establishment is the sender."""

    __tablename__ = "transport"
    __mapper_args__ = {"polymorphic_identity": "transport"}

    id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    material: Mapped[str] = mapped_column(String(10))
    material_code: Mapped[str] = mapped_column(String(20), index=True)
    quantity_kg: Mapped[float] = mapped_column(Float)
    to_establishment_id: Mapped[int | None] = mapped_column(ForeignKey("establishment.id"), index=True)
    carrier_establishment_id: Mapped[int | None] = mapped_column(ForeignKey("establishment.id"), default=None)


class DemoSeedRun(Base):
    """Which demo world is loaded: size, seed, counts, and where its ground truth lies."""

    __tablename__ = "demo_seed_run"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    size: Mapped[str] = mapped_column(String(10))
    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ground_truth_path: Mapped[str] = mapped_column(Text, default="")


def organisation_codes(session: Session) -> dict[int, str]:
    """Organisation id → code, for showing where a record came from (organisations are not personal data)."""
    return {org_id: code for org_id, code in session.execute(select(Organisation.id, Organisation.code))}

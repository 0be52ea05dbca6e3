"""ingest and resolve: sources, import runs, quarantine, taxonomy, resolution links and decisions

Revision ID: 0004_ingest
Revises: 0001_foundation
Create Date: 2026-11-23 13:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_ingest"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("ingest",)
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def upgrade() -> None:
    op.create_table(
        "ingest_source",
        sa.Column("id", ID, nullable=False),
        sa.Column("code", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "organisation_id",
            ID,
            sa.ForeignKey("organisation.id", name="fk_ingest_source_organisation_id_organisation"),
            nullable=False,
        ),
        sa.Column("source_system", sa.String(80), nullable=False),
        sa.Column("mapping_name", sa.String(80), nullable=False),
        sa.Column("mapping_yaml", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _pk("ingest_source"),
        sa.UniqueConstraint("code", name="uq_ingest_source_code"),
    )
    op.create_index("ix_ingest_source_organisation_id", "ingest_source", ["organisation_id"])

    op.create_table(
        "ingest_run",
        sa.Column("id", ID, nullable=False),
        sa.Column(
            "source_id",
            ID,
            sa.ForeignKey("ingest_source.id", name="fk_ingest_run_source_id_ingest_source"),
            nullable=False,
        ),
        sa.Column(
            "import_batch_id",
            ID,
            sa.ForeignKey("import_batch.id", name="fk_ingest_run_import_batch_id_import_batch"),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(260), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rows_in", sa.BigInteger(), nullable=False),
        sa.Column("rows_new", sa.BigInteger(), nullable=False),
        sa.Column("rows_updated", sa.BigInteger(), nullable=False),
        sa.Column("rows_unchanged", sa.BigInteger(), nullable=False),
        sa.Column("rows_quarantined", sa.BigInteger(), nullable=False),
        sa.Column("rows_duplicate", sa.BigInteger(), nullable=False),
        sa.Column("next_row", sa.BigInteger(), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        _pk("ingest_run"),
    )
    op.create_index("ix_ingest_run_source_id", "ingest_run", ["source_id"])
    op.create_index("ix_ingest_run_import_batch_id", "ingest_run", ["import_batch_id"])
    op.create_index("ix_ingest_run_file_sha256", "ingest_run", ["file_sha256"])

    op.create_table(
        "ingest_quarantine",
        sa.Column("id", ID, nullable=False),
        sa.Column(
            "run_id",
            ID,
            sa.ForeignKey("ingest_run.id", name="fk_ingest_quarantine_run_id_ingest_run"),
            nullable=False,
        ),
        sa.Column(
            "source_id",
            ID,
            sa.ForeignKey("ingest_source.id", name="fk_ingest_quarantine_source_id_ingest_source"),
            nullable=False,
        ),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("raw_hash", sa.String(64), nullable=False),
        sa.Column("field", sa.String(80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _pk("ingest_quarantine"),
    )
    op.create_index("ix_ingest_quarantine_run_id", "ingest_quarantine", ["run_id"])
    op.create_index("ix_ingest_quarantine_source_id", "ingest_quarantine", ["source_id"])
    op.create_index("ix_ingest_quarantine_status", "ingest_quarantine", ["status"])
    op.create_index("ix_ingest_quarantine_raw_hash", "ingest_quarantine", ["raw_hash"])

    op.create_table(
        "ingest_record",
        sa.Column("id", ID, nullable=False),
        sa.Column(
            "record_id",
            ID,
            sa.ForeignKey("record.id", name="fk_ingest_record_record_id_record", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "source_id",
            ID,
            sa.ForeignKey("ingest_source.id", name="fk_ingest_record_source_id_ingest_source"),
            nullable=False,
        ),
        sa.Column(
            "run_id",
            ID,
            sa.ForeignKey("ingest_run.id", name="fk_ingest_record_run_id_ingest_run"),
            nullable=False,
        ),
        sa.Column("row_number", sa.BigInteger(), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        _pk("ingest_record"),
        sa.UniqueConstraint("record_id", name="uq_ingest_record_record_id"),
    )
    op.create_index("ix_ingest_record_source_id", "ingest_record", ["source_id"])
    op.create_index("ix_ingest_record_run_id", "ingest_record", ["run_id"])

    op.create_table(
        "taxonomy_term",
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _pk("taxonomy_term"),
        sa.UniqueConstraint("kind", "code", name="uq_taxonomy_term_kind"),
    )

    op.create_table(
        "resolve_run",
        sa.Column("id", ID, nullable=False),
        sa.Column("backend", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        _pk("resolve_run"),
    )

    op.create_table(
        "resolve_link",
        sa.Column("id", ID, nullable=False),
        sa.Column("item_kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "establishment_id",
            ID,
            sa.ForeignKey("establishment.id", name="fk_resolve_link_establishment_id_establishment"),
            nullable=False,
        ),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column(
            "run_id",
            ID,
            sa.ForeignKey("resolve_run.id", name="fk_resolve_link_run_id_resolve_run"),
            nullable=False,
        ),
        sa.Column("updated_at", TS, nullable=False),
        _pk("resolve_link"),
        sa.UniqueConstraint("item_kind", "item_id", name="uq_resolve_link_item_kind"),
    )
    op.create_index("ix_resolve_link_establishment_id", "resolve_link", ["establishment_id"])
    op.create_index("ix_resolve_link_status", "resolve_link", ["status"])
    op.create_index("ix_resolve_link_run_id", "resolve_link", ["run_id"])

    op.create_table(
        "resolve_decision",
        sa.Column("id", ID, nullable=False),
        sa.Column("item_kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "establishment_id",
            ID,
            sa.ForeignKey("establishment.id", name="fk_resolve_decision_establishment_id_establishment"),
            nullable=False,
        ),
        sa.Column("decision", sa.String(5), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        _pk("resolve_decision"),
        sa.UniqueConstraint("item_kind", "item_id", "establishment_id", name="uq_resolve_decision_item_kind"),
    )

    op.create_table(
        "resolve_subject",
        sa.Column(
            "establishment_id",
            ID,
            sa.ForeignKey("establishment.id", name="fk_resolve_subject_establishment_id_establishment"),
            nullable=False,
        ),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "run_id",
            ID,
            sa.ForeignKey("resolve_run.id", name="fk_resolve_subject_run_id_resolve_run"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("establishment_id", name="pk_resolve_subject"),
    )
    op.create_index("ix_resolve_subject_subject_id", "resolve_subject", ["subject_id"])


def downgrade() -> None:
    for index, table in [
        ("ix_resolve_subject_subject_id", "resolve_subject"),
    ]:
        op.drop_index(index, table_name=table)
    for table in [
        "resolve_subject",
        "resolve_decision",
        "resolve_link",
        "resolve_run",
        "taxonomy_term",
        "ingest_record",
        "ingest_quarantine",
        "ingest_run",
        "ingest_source",
    ]:
        op.drop_table(table)

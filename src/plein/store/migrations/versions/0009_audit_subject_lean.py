"""access: a leaner audit_subject, keyed by (entry, place in the entry's list)

Every audited read writes a few dozen subject rows. Without the surrogate id (its sequence and
primary-key index), the separate entry index and the foreign key (a trigger per row on PostgreSQL),
each row costs one table row and two index entries. The hash chain covers the rows instead: each
entry's hash includes its subjects, and ``plein audit verify`` refuses subject rows outside the chain.
Existing rows keep their order within an entry.

Revision ID: 0009_audit_subject_lean
Revises: 0002_access
Create Date: 2026-11-23 19:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_audit_subject_lean"
down_revision: str | Sequence[str] | None = "0002_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _set_aside() -> None:
    """Rename the current table out of the way (PostgreSQL names constraints per schema)."""
    op.rename_table("audit_subject", "audit_subject_old")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_subject_old RENAME CONSTRAINT pk_audit_subject TO pk_audit_subject_old")


def upgrade() -> None:
    op.drop_index("ix_audit_subject_pseudonym", table_name="audit_subject")
    op.drop_index("ix_audit_subject_entry_seq", table_name="audit_subject")
    _set_aside()
    op.create_table(
        "audit_subject",
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("entry_seq", "position", name="pk_audit_subject"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO audit_subject (entry_seq, position, kind, pseudonym) "
        "SELECT entry_seq, row_number() OVER (PARTITION BY entry_seq ORDER BY id) - 1, kind, pseudonym "
        "FROM audit_subject_old"
    )
    op.drop_table("audit_subject_old")
    op.create_index("ix_audit_subject_pseudonym", "audit_subject", ["pseudonym"])


def downgrade() -> None:
    op.drop_index("ix_audit_subject_pseudonym", table_name="audit_subject")
    _set_aside()
    op.create_table(
        "audit_subject",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["entry_seq"], ["audit_entry.seq"], name="fk_audit_subject_entry_seq_audit_entry"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_subject"),
    )
    op.execute(
        "INSERT INTO audit_subject (entry_seq, kind, pseudonym) "
        "SELECT entry_seq, kind, pseudonym FROM audit_subject_old ORDER BY entry_seq, position"
    )
    op.drop_table("audit_subject_old")
    op.create_index("ix_audit_subject_entry_seq", "audit_subject", ["entry_seq"])
    op.create_index("ix_audit_subject_pseudonym", "audit_subject", ["pseudonym"])

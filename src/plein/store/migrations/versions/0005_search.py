"""search: name-token index, token frequencies and index state

Revision ID: 0005_search
Revises: 0001_foundation
Create Date: 2026-11-23 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_search"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("search",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_token",
        sa.Column("token", sa.String(40), nullable=False),
        sa.Column("establishment_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token", "establishment_id", name="pk_search_token"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_token_establishment_id", "search_token", ["establishment_id"])
    op.create_table(
        "search_vocab",
        sa.Column("token", sa.String(40), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_search_vocab"),
    )
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("establishments", sa.Integer(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_state"),
    )


def downgrade() -> None:
    op.drop_table("search_state")
    op.drop_table("search_vocab")
    op.drop_index("ix_search_token_establishment_id", table_name="search_token")
    op.drop_table("search_token")

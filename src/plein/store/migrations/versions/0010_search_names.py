"""search: index names, not establishments; posting lists of name ids

``search_name_use`` holds each name an establishment carries, keyed by the name, so that the
establishments sharing a name are read together; tokens list the ids of the names carrying them.
``search_token`` (a token per establishment) goes. The index is derived data: this migration empties
it, and ``plein init`` / ``plein db upgrade`` rebuild it from the core tables straight after.

Revision ID: 0010_search_names
Revises: 0008_search_postings
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_search_names"
down_revision: str | Sequence[str] | None = "0008_search_postings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _empty_index() -> None:
    """No postings and no establishments indexed: the next ``plein init`` rebuilds the index."""
    op.execute("DELETE FROM search_vocab")
    op.execute("UPDATE search_state SET establishments = 0, version = version + 1")


def upgrade() -> None:
    op.create_table(
        "search_name_use",
        sa.Column("name_id", sa.BigInteger(), nullable=False),
        sa.Column("establishment_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("source_organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name_id", "establishment_id", "kind", name="pk_search_name_use"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_name_use_establishment_id", "search_name_use", ["establishment_id"])
    op.drop_index("ix_search_token_establishment_id", table_name="search_token")
    op.drop_table("search_token")
    _empty_index()


def downgrade() -> None:
    op.create_table(
        "search_token",
        sa.Column("token", sa.String(40), nullable=False),
        sa.Column("establishment_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token", "establishment_id", name="pk_search_token"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_token_establishment_id", "search_token", ["establishment_id"])
    op.drop_index("ix_search_name_use_establishment_id", table_name="search_name_use")
    op.drop_table("search_name_use")
    _empty_index()

"""follow: the volglijst, subjects a user follows with her last visit

Revision ID: 0020_follow
Revises: 0001_foundation
Create Date: 2026-12-04 19:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_follow"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("follow",)
depends_on: str | Sequence[str] | None = ("0002_access",)  # user_account


def upgrade() -> None:
    op.create_table(
        "follow_item",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_follow_item_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_item")),
        sa.UniqueConstraint("user_id", "kind", "value", name=op.f("uq_follow_item_user_id")),
    )
    with op.batch_alter_table("follow_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_item_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("follow_item")

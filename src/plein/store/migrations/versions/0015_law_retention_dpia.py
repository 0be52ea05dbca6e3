"""access: retention rules per kind of data, and DPIA records per processing activity and collaboration

``retention_rule`` starts with the defaults of ``retention.rules`` (a beheerder changes them on
``/beheer/privacy``); ``dpia`` holds one row per processing activity or collaboration that has one.

Revision ID: 0015_law_retention_dpia
Revises: 0015_law_new_activities
Create Date: 2026-12-04 19:20:00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from plein.retention.rules import DEFAULTS

revision: str = "0015_law_retention_dpia"
down_revision: str | Sequence[str] | None = "0015_law_new_activities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    rule = op.create_table(
        "retention_rule",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_retention_rule")),
    )
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        rule,
        [
            {"kind": kind.value, "days": days, "action": action.value, "updated_by": "standaard", "updated_at": now}
            for kind, (days, action) in DEFAULTS.items()
        ],
    )
    op.create_table(
        "dpia",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("activity_code", sa.String(length=60), nullable=True),
        sa.Column("collaboration_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(activity_code IS NULL) <> (collaboration_id IS NULL)", name=op.f("ck_dpia_one_subject")),
        sa.ForeignKeyConstraint(
            ["activity_code"],
            ["processing_activity.code"],
            name=op.f("fk_dpia_activity_code_processing_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaboration.id"],
            name=op.f("fk_dpia_collaboration_id_collaboration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dpia")),
        sa.UniqueConstraint("activity_code", name=op.f("uq_dpia_activity_code")),
        sa.UniqueConstraint("collaboration_id", name=op.f("uq_dpia_collaboration_id")),
    )


def downgrade() -> None:
    op.drop_table("dpia")
    op.drop_table("retention_rule")

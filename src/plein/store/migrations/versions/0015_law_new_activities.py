"""access: the processing activities bewijsvoering (raw evidence pages) and bewaartermijnen (retention)

A fresh database gets them from the register in ``0002_access``; an existing one gets every activity
of the default register it lacks, never changing one a beheerder edited.

Revision ID: 0015_law_new_activities
Revises: 0015_law_participants_bases
Create Date: 2026-12-04 19:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from plein.policy.register import DEFAULT_ACTIVITIES

revision: str = "0015_law_new_activities"
down_revision: str | Sequence[str] | None = "0015_law_participants_bases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = ("bewijsvoering", "bewaartermijnen")


def upgrade() -> None:
    bind = op.get_bind()
    present = {code for (code,) in bind.execute(sa.text("SELECT code FROM processing_activity"))}
    activity = sa.table(
        "processing_activity",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("purpose", sa.Text),
        sa.column("legal_basis", sa.Text),
        sa.column("scope", sa.String),
        sa.column("roles", sa.JSON),
        sa.column("active", sa.Boolean),
    )
    missing = [dict(row, active=True) for row in DEFAULT_ACTIVITIES if row["code"] not in present]
    if missing:
        op.bulk_insert(activity, missing)


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text("DELETE FROM processing_activity WHERE code IN :codes").bindparams(
            sa.bindparam("codes", expanding=True)
        ),
        {"codes": list(NEW)},
    )

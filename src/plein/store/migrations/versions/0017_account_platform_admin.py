"""access: user_account.platform_admin, the recorded platform beheerder

A beheerder manages the accounts of its own organisation, never above its own clearance. The
organisation that runs plein needs someone who may do so for every organisation: that account is
marked here (only from the command line, by the operator), and its changes outside its own
organisation are audited as platform administration.

Revision ID: 0017_account_platform_admin
Revises: 0015_law_retention_dpia
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_account_platform_admin"
down_revision: str | Sequence[str] | None = "0015_law_retention_dpia"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("platform_admin", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("platform_admin")

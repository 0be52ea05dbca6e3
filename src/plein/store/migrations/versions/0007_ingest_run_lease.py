"""ingest: a lease on each import run (owner and heartbeat)

One process at a time imports a file into a source: the run records which process holds it and
when that process last committed a chunk, so a second import of the same file is refused while the
first is alive, and a run whose process died can be told apart from one that is still working.

Revision ID: 0007_ingest_run_lease
Revises: 0004_ingest
Create Date: 2026-11-23 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_ingest_run_lease"
down_revision: str | Sequence[str] | None = "0004_ingest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_run") as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_run") as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("owner")

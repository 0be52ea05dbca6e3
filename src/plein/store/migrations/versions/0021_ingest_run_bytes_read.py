"""ingest: how far into its file a run has read, in bytes

Stored with each committed chunk, so that a status page in another process can show a running
import's share of the file and its time left, as the command line does from the same counters.

Revision ID: 0021_ingest_run_bytes_read
Revises: 0016_ingest_file_lines
Create Date: 2026-12-04 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_ingest_run_bytes_read"
down_revision: str | Sequence[str] | None = "0016_ingest_file_lines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_run") as batch_op:
        batch_op.add_column(sa.Column("bytes_read", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_run") as batch_op:
        batch_op.drop_column("bytes_read")

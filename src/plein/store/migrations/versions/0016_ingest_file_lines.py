"""ingest: the physical lines of an imported file, counted apart from the CSV reader

Every line of a CSV file must end in the header, a blank line or a row (stored or quarantined): the
run keeps the line count of the file's bytes and the count the reader accounted for, so that a
file whose rows were lost or merged cannot end as a plain success.

Revision ID: 0016_ingest_file_lines
Revises: 0007_ingest_run_lease
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_ingest_file_lines"
down_revision: str | Sequence[str] | None = "0007_ingest_run_lease"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_run") as batch_op:
        batch_op.add_column(sa.Column("file_lines", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("lines_read", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_run") as batch_op:
        batch_op.drop_column("lines_read")
        batch_op.drop_column("file_lines")

"""search: each token's posting list packed beside its frequency

A name query reads a few packed lists and intersects them in memory instead of joining tens of
thousands of ``search_token`` rows. Existing indexes are packed from ``search_token`` here, one
token at a time in token order.

Revision ID: 0008_search_postings
Revises: 0006_record_need_to_know
Create Date: 2026-11-23 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
from alembic import op

revision: str = "0008_search_postings"
down_revision: str | Sequence[str] | None = "0006_record_need_to_know"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _packed(ids: list[int]) -> bytes:
    """As ``search.postings.pack`` (a migration keeps its own copy of the format): a width byte, then
    the sorted ids as unsigned 32-bit (all below 2**32) or signed 64-bit little-endian integers."""
    if not ids or (ids[0] >= 0 and ids[-1] < 2**32):
        return b"\x04" + np.asarray(ids, dtype="<u4").tobytes()
    return b"\x08" + np.asarray(ids, dtype="<i8").tobytes()


def upgrade() -> None:
    with op.batch_alter_table("search_vocab") as batch_op:
        batch_op.add_column(sa.Column("postings", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Stored uncompressed: lists of ids hardly compress, and reading them back is a third faster.
        op.execute("ALTER TABLE search_vocab ALTER COLUMN postings SET STORAGE EXTERNAL")
    vocab = sa.table("search_vocab", sa.column("token", sa.String), sa.column("postings", sa.LargeBinary))
    rows = bind.execute(
        sa.text("SELECT token, establishment_id FROM search_token ORDER BY token, establishment_id").execution_options(
            stream_results=True, yield_per=50_000
        )
    )
    statement = vocab.update().where(vocab.c.token == sa.bindparam("t")).values(postings=sa.bindparam("p"))
    current: str | None = None
    ids: list[int] = []
    batch: list[dict[str, object]] = []
    for token, establishment_id in rows:
        if token != current:
            if current is not None:
                batch.append({"t": current, "p": _packed(ids)})
            current, ids = token, []
        ids.append(establishment_id)
        if len(batch) >= 500:
            bind.execute(statement, batch)
            batch = []
    if current is not None:
        batch.append({"t": current, "p": _packed(ids)})
    if batch:
        bind.execute(statement, batch)


def downgrade() -> None:
    with op.batch_alter_table("search_vocab") as batch_op:
        batch_op.drop_column("postings")

"""access: audit entries sealed in batches; the Merkle tree head beside the chain head

Requests now insert their audit entries without a lock, with a provisional number above 2**62
(handed out by a sequence on PostgreSQL), and one sealer gives them their place in the chain. The
head row gains the Merkle tree over the chain (``frontier``: the perfect-subtree roots; ``root_hash``)
that signed checkpoints outside the database anchor. Existing chains keep verifying: their tree is
built from their hashes on the first seal.

Revision ID: 0018_audit_sealed_batches
Revises: 0017_account_platform_admin
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_audit_sealed_batches"
down_revision: str | Sequence[str] | None = "0017_account_platform_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_BASE = 1 << 62  # plein.audit.chain.PENDING_BASE, fixed here as the migration's own fact


def upgrade() -> None:
    with op.batch_alter_table("audit_chain_head") as batch_op:
        batch_op.add_column(sa.Column("frontier", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("root_hash", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE SEQUENCE audit_pending_seq AS bigint START WITH {PENDING_BASE + 1}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS audit_pending_seq")
    with op.batch_alter_table("audit_chain_head") as batch_op:
        batch_op.drop_column("root_hash")
        batch_op.drop_column("frontier")

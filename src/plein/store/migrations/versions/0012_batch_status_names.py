"""foundation: one Dutch word per import batch status

``import_batch.status`` carried English and Dutch words for the same state (``running``, ``done`` and
``finished``, ``failed`` beside ``mislukt``). It now takes the values of ``RunStatus``, the list every
run shares: ``bezig``, ``voltooid``, ``onderbroken``, ``mislukt``. The downgrade writes back what each
writer used to store (demo seeds ``done``, imports and crawls ``finished``, failed imports ``failed``).

Revision ID: 0012_batch_status_names
Revises: 0001_foundation
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_batch_status_names"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = sa.table("import_batch", sa.column("status", sa.String), sa.column("kind", sa.String))
UPGRADE = {"running": "bezig", "done": "voltooid", "finished": "voltooid", "failed": "mislukt"}


def upgrade() -> None:
    for old, new in UPGRADE.items():
        op.execute(_BATCH.update().where(_BATCH.c.status == old).values(status=new))


def downgrade() -> None:
    op.execute(_BATCH.update().where(_BATCH.c.status == "bezig").values(status="running"))
    done = _BATCH.c.status == "voltooid"
    op.execute(_BATCH.update().where(done, _BATCH.c.kind == "demo").values(status="done"))
    op.execute(_BATCH.update().where(done).values(status="finished"))
    op.execute(_BATCH.update().where(_BATCH.c.status == "mislukt", _BATCH.c.kind == "import").values(status="failed"))

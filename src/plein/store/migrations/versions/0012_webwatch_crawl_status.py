"""webwatch: a completed crawl is ``voltooid``, as every other run

``webwatch_crawl.status`` said ``klaar`` where import and resolution runs say ``voltooid``; the crawl
now takes the shared ``RunStatus`` values (``bezig``, ``voltooid``, ``onderbroken``, ``mislukt``).

Revision ID: 0012_webwatch_crawl_status
Revises: 0003_webwatch
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_webwatch_crawl_status"
down_revision: str | Sequence[str] | None = "0003_webwatch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CRAWL = sa.table("webwatch_crawl", sa.column("status", sa.String))


def upgrade() -> None:
    op.execute(_CRAWL.update().where(_CRAWL.c.status == "klaar").values(status="voltooid"))


def downgrade() -> None:
    op.execute(_CRAWL.update().where(_CRAWL.c.status == "voltooid").values(status="klaar"))

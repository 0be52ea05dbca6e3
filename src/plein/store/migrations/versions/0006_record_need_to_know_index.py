"""search: index records by source organisation and establishment

The gate restricts records to source organisations (own organisation, or the partners of a
collaboration); area searches and dossiers ask for the records of a set of establishments. With
this index both databases look up (organisation, establishment) pairs instead of reading every
record of the area or of the organisation, and read the columns filters and facets need from it.

Revision ID: 0006_record_need_to_know
Revises: 0005_search
Create Date: 2026-11-23 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_record_need_to_know"
down_revision: str | Sequence[str] | None = "0005_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Covering: counts, facets and the newest-first page of an area are answered from the index alone.
COLUMNS = ("source_organisation_id", "establishment_id", "confidentiality", "theme_code", "kind", "occurred_on")


def upgrade() -> None:
    op.create_index("ix_record_source_establishment", "record", list(COLUMNS))


def downgrade() -> None:
    op.drop_index("ix_record_source_establishment", table_name="record")

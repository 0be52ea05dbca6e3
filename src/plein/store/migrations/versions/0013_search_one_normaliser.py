"""search: names are tokenised by the one normaliser in ``plein.core.names``

Search now drops the same noise words as entity resolution (``Fa.``, ``Firma``,
``Handelsonderneming``, ``de``, ``het`` are no longer indexed), so the stored tokens of the name
index are stale. The index is derived data: this migration empties it, and ``plein init`` /
``plein db upgrade`` rebuild it from the core tables straight after.

Revision ID: 0013_search_one_normaliser
Revises: 0010_search_names
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013_search_one_normaliser"
down_revision: str | Sequence[str] | None = "0010_search_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _empty_index() -> None:
    """No postings and no establishments indexed: the next ``plein init`` rebuilds the index."""
    op.execute("DELETE FROM search_vocab")
    op.execute("UPDATE search_state SET establishments = 0, version = version + 1")


def upgrade() -> None:
    _empty_index()


def downgrade() -> None:
    _empty_index()

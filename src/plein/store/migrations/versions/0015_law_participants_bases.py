"""access: participants exchange data or only take part; uncertain matrix cells wait for validation

``collaboration_participant.participation``: under the Wgs only statutory RIEC participants exchange
data (``policy.participation``); existing participants of a handhavingsknelpunt that are not
statutory become ``zonder_uitwisseling``. ``legal_basis`` gains who validated an uncertain cell,
when, with which reference, and which reading of a garbled row; until then the cell is not in force.

Revision ID: 0015_law_participants_bases
Revises: 0009_audit_subject_lean
Create Date: 2026-12-04 18:50:00
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from plein.policy.participation import is_statutory

revision: str = "0015_law_participants_bases"
down_revision: str | Sequence[str] | None = "0009_audit_subject_lean"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _mark_non_statutory_participants() -> None:
    bind = op.get_bind()
    orgs = {
        row.id: SimpleNamespace(id=row.id, code=row.code, name=row.name, kind=row.kind, parent_id=row.parent_id)
        for row in bind.execute(sa.text("SELECT id, code, name, kind, parent_id FROM organisation"))
    }
    for org in orgs.values():
        org.parent = orgs.get(org.parent_id)
    rows = bind.execute(
        sa.text(
            "SELECT p.id, p.organisation_id FROM collaboration_participant p "
            "JOIN collaboration c ON c.id = p.collaboration_id WHERE c.kind = 'handhavingsknelpunt'"
        )
    ).all()
    ids = [pid for pid, org_id in rows if org_id in orgs and not is_statutory(orgs[org_id])]
    if ids:
        bind.execute(
            sa.text(
                "UPDATE collaboration_participant SET participation = 'zonder_uitwisseling' WHERE id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": ids},
        )


def upgrade() -> None:
    op.add_column(
        "collaboration_participant",
        sa.Column("participation", sa.String(length=30), nullable=False, server_default="uitwisseling"),
    )
    _mark_non_statutory_participants()
    op.add_column("legal_basis", sa.Column("validated_by", sa.String(length=80), nullable=False, server_default=""))
    op.add_column("legal_basis", sa.Column("validated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("legal_basis", sa.Column("validation_reference", sa.Text(), nullable=False, server_default=""))
    op.add_column("legal_basis", sa.Column("reading", sa.String(length=40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("legal_basis") as batch_op:
        for column in ("reading", "validation_reference", "validated_at", "validated_by"):
            batch_op.drop_column(column)
    with op.batch_alter_table("collaboration_participant") as batch_op:
        batch_op.drop_column("participation")

"""Put back the policy's default data when missing (after a demo wipe, or on a hand-made database).

The access migration seeds the same data; this function is idempotent and never overwrites what a
beheerder changed.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plein.audit.chain import GENESIS, HEAD_ID
from plein.audit.models import AuditChainHead, AuditEntry
from plein.policy.matrix import default_bases
from plein.policy.models import LegalBasis, ProcessingActivity
from plein.policy.register import DEFAULT_ACTIVITIES


def ensure_policy_defaults(session: Session) -> None:
    """Missing processing activities, the covenant matrix (if the table is empty), the chain head."""
    for row in DEFAULT_ACTIVITIES:
        if session.get(ProcessingActivity, row["code"]) is None:
            session.add(ProcessingActivity(**row, active=True))
    if not session.scalar(select(func.count()).select_from(LegalBasis)):
        for row in default_bases():
            session.add(LegalBasis(**row, active=True, recorded_by="convenant"))
    if session.get(AuditChainHead, HEAD_ID) is None:
        has_entries = session.scalar(select(func.count()).select_from(AuditEntry))
        if not has_entries:  # a head over existing entries would hide a tampered log
            session.add(AuditChainHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS))
    session.flush()

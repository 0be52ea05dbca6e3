"""Collaboration membership as the gate reads it on every request (cached briefly, see ``policy.cache``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from plein.policy.cache import PolicyCache
from plein.policy.models import Collaboration, CollaborationMember, CollaborationParticipant


@dataclass(frozen=True, slots=True)
class CollaborationRule:
    """What the gate needs of a collaboration the actor is a member of."""

    id: int
    kind: str
    theme_code: str | None
    legal_basis: str
    processing_activity_code: str
    starts_on: dt.date
    ends_on: dt.date

    @property
    def is_wgs(self) -> bool:
        """A handhavingsknelpunt is a Wgs collaboration: the Wgs is the basis among its participants."""
        return self.kind == "handhavingsknelpunt"

    def is_active_on(self, day: dt.date) -> bool:
        """True within [starts_on, ends_on]."""
        return self.starts_on <= day <= self.ends_on


_members: PolicyCache[CollaborationRule | None] = PolicyCache(
    Collaboration, CollaborationMember, CollaborationParticipant
)


def collaboration_if_member(
    session: Session, collaboration_id: int, user_id: int, organisation_id: int
) -> CollaborationRule | None:
    """The collaboration, if the user is a member for their current organisation; None otherwise."""

    def load() -> CollaborationRule | None:
        member = exists().where(
            CollaborationMember.collaboration_id == Collaboration.id,
            CollaborationMember.user_id == user_id,
            exists().where(
                CollaborationParticipant.collaboration_id == Collaboration.id,
                CollaborationParticipant.organisation_id == organisation_id,
            ),
        )
        row = session.execute(
            select(
                Collaboration.id,
                Collaboration.kind,
                Collaboration.theme_code,
                Collaboration.legal_basis,
                Collaboration.processing_activity_code,
                Collaboration.starts_on,
                Collaboration.ends_on,
            ).where(Collaboration.id == collaboration_id, member)
        ).first()
        return None if row is None else CollaborationRule(*row)

    return _members.get(session, (collaboration_id, user_id, organisation_id), load)

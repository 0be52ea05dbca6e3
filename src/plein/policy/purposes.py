"""Which purposes a user can state: the role's processing activities and their collaborations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.policy.models import Collaboration, CollaborationMember, ProcessingActivity
from plein.policy.register import Operation, may
from plein.policy.roles import Role
from plein.policy.scopes import ScopeKind


@dataclass(frozen=True, slots=True)
class PurposeOption:
    """One choice in a purpose selector: the ``doel`` value and a Dutch label."""

    value: str
    label: str
    active: bool = True


def listed_collaborations(session: Session, user_id: int, role: Role) -> list[Collaboration]:
    """The collaborations a user is a member of; every one for a role the register lets see them all (no content)."""
    query = select(Collaboration).order_by(Collaboration.name)
    if not may(role, Operation.ALL_COLLABORATIONS):
        query = query.join(CollaborationMember, CollaborationMember.collaboration_id == Collaboration.id).where(
            CollaborationMember.user_id == user_id
        )
    return list(session.scalars(query))


def purposes_for(session: Session, user_id: int, role: Role, today: dt.date | None = None) -> list[PurposeOption]:
    """The activities the role may use directly, then the user's collaborations (running ones first)."""
    today = today or dt.date.today()
    options = [
        PurposeOption(activity.code, activity.name)
        for activity in session.scalars(
            select(ProcessingActivity).where(ProcessingActivity.active.is_(True)).order_by(ProcessingActivity.code)
        )
        if role.value in activity.roles and activity.scope != ScopeKind.COLLABORATION
    ]
    collaborations = session.scalars(
        select(Collaboration)
        .join(CollaborationMember, CollaborationMember.collaboration_id == Collaboration.id)
        .where(CollaborationMember.user_id == user_id)
        .order_by(Collaboration.ends_on.desc(), Collaboration.name)
    ).all()
    for collab in collaborations:
        running = collab.is_active_on(today)
        suffix = "" if running else " (verlopen)" if collab.ends_on < today else " (nog niet begonnen)"
        options.append(PurposeOption(f"samenwerking:{collab.id}", f"{collab.name}{suffix}", running))
    return options

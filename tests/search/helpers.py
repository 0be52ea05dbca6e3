"""Logging in as a demo account and asking the gate directly, to check search results against it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.auth.accounts import actor_for
from plein.auth.models import UserAccount
from plein.auth.tokens import issue_token
from plein.core.models import Establishment, Record
from plein.policy.gate import Gate
from plein.policy.models import Collaboration
from plein.policy.roles import Purpose


def bearer(engine: Engine, username: str) -> dict[str, str]:
    """An Authorization header for a demo account (a fresh personal token)."""
    with Session(engine) as session, session.begin():
        user = session.scalars(select(UserAccount).where(UserAccount.username == username)).one()
        secret, _ = issue_token(session, user, "test")
    return {"Authorization": f"Bearer {secret}"}


def collaboration_id(engine: Engine, code: str) -> int:
    with Session(engine) as session:
        return int(session.scalars(select(Collaboration.id).where(Collaboration.code == code)).one())


def purpose_of(doel: str) -> Purpose:
    if doel.startswith("samenwerking:"):
        return Purpose.for_collaboration(int(doel.split(":")[1]))
    return Purpose.for_activity(doel)


def visible(engine: Engine, username: str, doel: str) -> tuple[set[int], set[int]]:
    """(visible establishment ids, visible record ids) according to the gate itself."""
    with Session(engine) as session:
        user = session.scalars(select(UserAccount).where(UserAccount.username == username)).one()
        gate = Gate(session, actor_for(user), purpose_of(doel))
        establishments = set(session.scalars(gate.establishments(select(Establishment.id))).all())
        records = set(session.scalars(gate.records(select(Record.id))).all())
        session.rollback()
    return establishments, records


def rows(engine: Engine, query: Any) -> list[Any]:
    with Session(engine) as session:
        return list(session.execute(query).all())

"""Adding members to a collaboration: policy reads the user's organisation without importing auth."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plein.errors import ValidationError
from plein.policy import admin
from plein.policy.models import Collaboration
from tests.access.world import build_world


def test_members_come_from_participating_organisations(engine: Engine) -> None:
    with Session(engine) as session:
        world = build_world(session)
        tafel = session.get(Collaboration, world.collabs["TAFEL"])
        knelpunt = session.get(Collaboration, world.collabs["KNELPUNT"])
        assert tafel is not None and knelpunt is not None
        member = admin.add_member(session, tafel, world.users["a.beleid"].id, manager=True)
        assert (member.user_id, member.is_manager) == (world.users["a.beleid"].id, True)
        again = admin.add_member(session, tafel, world.users["a.beleid"].id)
        assert again.id == member.id and again.is_manager is False
        with pytest.raises(ValidationError, match="neemt niet deel"):
            admin.add_member(session, knelpunt, world.users["b.analist"].id)  # ODB is no participant
        with pytest.raises(ValidationError, match="Gebruiker 999999 bestaat niet"):
            admin.add_member(session, tafel, 999_999)

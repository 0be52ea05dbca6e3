"""Authenticated test clients for tests that are about something else than access (used by tests/conftest.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.auth.accounts import create_user
from plein.auth.models import UserAccount
from plein.auth.tokens import issue_token
from plein.core.models import Organisation

SEEDED_USER = "od-nzkg.analist"


def authorise_client(client: TestClient, engine: Engine, username: str | None = None) -> str:
    """Give ``client`` a personal API token of ``username`` (or of a new test analist); returns the username."""
    with Session(engine) as session, session.begin():
        user = None
        if username is not None:
            user = session.scalars(select(UserAccount).where(UserAccount.username == username)).first()
        if user is None:
            username = username or "test.analist"
            org = session.scalars(select(Organisation).where(Organisation.code == "PLEIN-TEST")).first()
            if org is None:
                org = Organisation(
                    code="PLEIN-TEST",
                    name="Testorganisatie",
                    kind="omgevingsdienst",
                    legal_domain="bestuursrecht",
                    matrix_party="OD-toezicht",
                )
                session.add(org)
                session.flush()
            user = create_user(session, username=username, password=None, organisation_id=org.id, role="analist")
        secret, _row = issue_token(session, user, "test")
    client.headers["Authorization"] = f"Bearer {secret}"
    return username

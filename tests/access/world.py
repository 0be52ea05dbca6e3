"""A tiny hand-made world for gate and audit tests: five organisations, three collaborations.

Participants follow the RIEC brochure: in the knelpunt only the statutory participants (RIEC, police)
exchange data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plein.auth.accounts import actor_for, create_user
from plein.auth.models import UserAccount
from plein.core.models import Inspection, Organisation, Theme
from plein.policy.models import Collaboration, CollaborationMember, CollaborationParticipant, SharedRecord
from plein.policy.participation import default_participation
from plein.policy.roles import Actor

PASSWORD = "correct horse battery staple"
TODAY = dt.date.today()


@dataclass
class World:
    """Ids of everything the tests refer to by name."""

    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, UserAccount] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)  # "<ORG>-<level>" -> record id
    collabs: dict[str, int] = field(default_factory=dict)

    def actor(self, username: str) -> Actor:
        return actor_for(self.users[username])


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form (with its CSRF cookie); asserts success."""
    client.cookies.clear()
    page = client.get("/inloggen")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post(
        "/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": password, "csrf_token": token.group(1), "volgende": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the logged-in session, read from the account page."""
    page = client.get("/account")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return token.group(1)


def build_world(session: Session, *, with_passwords: tuple[str, ...] = ()) -> World:
    """Create the world; only users named in ``with_passwords`` get a (slow to hash) password."""
    world = World()
    session.add_all([Theme(code="afval", name="Afval"), Theme(code="f-gassen", name="F-gassen")])
    for code, kind, domain, party in (
        ("ODA", "omgevingsdienst", "bestuursrecht", "OD-toezicht"),
        ("ODB", "omgevingsdienst", "bestuursrecht", "OD-toezicht"),
        ("ILT", "rijksinspectie", "bestuursrecht", "ILT"),
        ("POL", "politie", "strafrecht", "Politie"),
        ("RIEC", "riec", "bestuursrecht", None),
    ):
        org = Organisation(code=code, name=f"Organisatie {code}", kind=kind, legal_domain=domain, matrix_party=party)
        session.add(org)
        session.flush()
        world.orgs[code] = org.id
    for code in ("ODA", "ODB", "ILT", "POL"):
        for n, level in enumerate(("intern", "vertrouwelijk", "geheim")):
            record = Inspection(
                theme_code="afval",
                confidentiality=level,
                occurred_on=dt.date(2025, 3, n + 1),
                source_organisation_id=world.orgs[code],
                source_system="test",
                source_key=f"{code}-{level}",
                outcome="overtreding",
                severity="laag",
                reported_kvk=f"{10000000 + world.orgs[code] * 10 + n}",
                reported_name=f"Bedrijf {code} {n}",
            )
            session.add(record)
            session.flush()
            world.records[f"{code}-{level}"] = record.id
    for username, org, role, clearance in (
        ("a.analist", "ODA", "analist", "vertrouwelijk"),
        ("a.inspecteur", "ODA", "inspecteur", "vertrouwelijk"),
        ("a.beleid", "ODA", "beleidsmedewerker", "vertrouwelijk"),
        ("a.beheer", "ODA", "beheerder", "intern"),
        ("a.fg", "ODA", "privacy_officer", "intern"),
        ("b.analist", "ODB", "analist", "vertrouwelijk"),
        ("ilt.analist", "ILT", "analist", "vertrouwelijk"),
        ("pol.analist", "POL", "analist", "geheim"),
        ("riec.regisseur", "RIEC", "casusregisseur", "vertrouwelijk"),
        ("lock.me", "ODB", "inspecteur", "intern"),
    ):
        world.users[username] = create_user(
            session,
            username=username,
            password=PASSWORD if username in with_passwords else None,
            organisation_id=world.orgs[org],
            role=role,
            clearance=clearance,
        )
    for code, kind, activity, start, end, participants, members, shared in (
        (
            "TAFEL",
            "thematische_tafel",
            "thematische-tafel",
            TODAY - dt.timedelta(days=10),
            TODAY + dt.timedelta(days=10),
            ("ODA", "ODB", "ILT", "POL"),
            ("a.analist", "a.inspecteur", "b.analist", "ilt.analist", "pol.analist"),
            ("ODB", "ILT", "POL"),
        ),
        (
            "OUD",
            "thematische_tafel",
            "thematische-tafel",
            dt.date(2023, 1, 1),
            dt.date(2023, 12, 31),
            ("ODA", "ODB"),
            ("a.analist", "b.analist"),
            ("ODB",),
        ),
        (
            "KNELPUNT",
            "handhavingsknelpunt",
            "wgs-knelpunt",
            TODAY - dt.timedelta(days=10),
            TODAY + dt.timedelta(days=355),
            # ODA (an omgevingsdienst) and ILT are no statutory RIEC participants: they take part
            # without exchanging data, so their shares (planted here) reach nobody.
            ("ODA", "RIEC", "ILT", "POL"),
            ("a.analist", "ilt.analist", "pol.analist", "riec.regisseur"),
            ("ILT", "ODA", "POL"),
        ),
    ):
        collab = Collaboration(
            code=code,
            name=code.title(),
            kind=kind,
            theme_code="afval",
            scope="test",
            legal_basis="test",
            processing_activity_code=activity,
            starts_on=start,
            ends_on=end,
        )
        session.add(collab)
        session.flush()
        world.collabs[code] = collab.id
        for org in participants:
            organisation = session.get(Organisation, world.orgs[org])
            assert organisation is not None
            participation = default_participation(organisation, wgs=collab.is_wgs)
            session.add(
                CollaborationParticipant(
                    collaboration_id=collab.id, organisation_id=world.orgs[org], participation=participation.value
                )
            )
        for username in members:
            session.add(CollaborationMember(collaboration_id=collab.id, user_id=world.users[username].id))
        for org in shared:
            for level in ("intern", "vertrouwelijk", "geheim"):
                session.add(SharedRecord(collaboration_id=collab.id, record_id=world.records[f"{org}-{level}"]))
    session.flush()
    return world

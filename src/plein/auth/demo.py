"""Demo accounts and collaborations for the synthetic demo world (never for a real deployment).

Passwords are derived from the demo seed so that a demo is reproducible; they are printed by
``plein demo seed`` and only ever exist in demo databases.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.auth.accounts import create_user
from plein.auth.models import UserAccount
from plein.core.models import DemoSeedRun, Organisation, Record
from plein.core.vocabulary import Confidentiality
from plein.policy.admin import knelpunt_term_end
from plein.policy.defaults import ensure_policy_defaults
from plein.policy.models import Collaboration, CollaborationMember, CollaborationParticipant, SharedRecord
from plein.policy.participation import Participation, default_participation
from plein.policy.register import KNELPUNT, TAFEL
from plein.policy.roles import Role

C = Confidentiality
# (organisation code, role, clearance)
DEMO_ACCOUNTS: tuple[tuple[str, Role, Confidentiality], ...] = (
    ("OD-NZKG", Role.ANALIST, C.VERTROUWELIJK),
    ("OD-NZKG", Role.INSPECTEUR, C.ZAAKVERTROUWELIJK),
    ("OD-NZKG", Role.CASUSREGISSEUR, C.VERTROUWELIJK),
    ("OD-NZKG", Role.BELEIDSMEDEWERKER, C.INTERN),
    ("OD-NZKG", Role.PRIVACY_OFFICER, C.INTERN),
    ("OD-NZKG", Role.BEHEERDER, C.INTERN),
    ("DCMR", Role.ANALIST, C.VERTROUWELIJK),
    ("DCMR", Role.INSPECTEUR, C.ZAAKVERTROUWELIJK),
    ("DCMR", Role.CASUSREGISSEUR, C.VERTROUWELIJK),
    ("DCMR", Role.BELEIDSMEDEWERKER, C.INTERN),
    ("DCMR", Role.BEHEERDER, C.INTERN),
    ("OD-NZKG-BOA", Role.INSPECTEUR, C.GEHEIM),
    ("ILT", Role.ANALIST, C.VERTROUWELIJK),
    ("ILT", Role.INSPECTEUR, C.ZAAKVERTROUWELIJK),
    ("ILT", Role.PRIVACY_OFFICER, C.INTERN),
    ("POLITIE", Role.ANALIST, C.GEHEIM),
    ("OM-FP", Role.ANALIST, C.GEHEIM),
    ("RIEC-AA", Role.CASUSREGISSEUR, C.VERTROUWELIJK),
)

DemoAccount = tuple[str, str, str, str]


def demo_username(org_code: str, role: Role) -> str:
    """``od-nzkg.analist``."""
    return f"{org_code.lower()}.{role.value.replace('_', '-')}"


def demo_password(username: str, seed: int) -> str:
    """A reproducible password for a demo account (20 characters, derived from the seed)."""
    raw = hmac.new(f"plein-demo-{seed}".encode(), username.encode(), hashlib.sha256).digest()
    return "demo-" + base64.b32encode(raw).decode("ascii")[:15].lower()


def create_demo_accounts(session: Session, seed: int = 1, today: dt.date | None = None) -> list[DemoAccount]:
    """Create the demo accounts and collaborations; returns (username, password, role, organisation code).

    Organisations missing from the database are skipped, so this also works on a partial world.
    """
    ensure_policy_defaults(session)
    orgs = {org.code: org for org in session.scalars(select(Organisation))}
    created: list[DemoAccount] = []
    users: dict[str, UserAccount] = {}
    for code, role, clearance in DEMO_ACCOUNTS:
        org = orgs.get(code)
        if org is None:
            continue
        username = demo_username(code, role)
        password = demo_password(username, seed)
        existing = session.scalars(select(UserAccount).where(UserAccount.username == username)).first()
        user = existing or create_user(
            session,
            username=username,
            password=password,
            organisation_id=org.id,
            role=role,
            clearance=clearance,
            display_name=f"Demo {role.label} {org.code}",
        )
        users[username] = user
        created.append((username, password, role.value, code))
    _demo_collaborations(session, orgs, users, today or dt.date.today())
    session.flush()
    return created


def _collaboration(
    session: Session,
    orgs: dict[str, Organisation],
    users: dict[str, UserAccount],
    *,
    code: str,
    name: str,
    kind: str,
    theme: str | None,
    scope: str,
    legal_basis: str,
    starts: dt.date,
    ends: dt.date,
    participants: Sequence[str],
    members: Sequence[str],
    per_org: int = 40,
    shared_themes: Sequence[str] = (),
) -> None:
    if session.scalar(select(Collaboration.id).where(Collaboration.code == code)) is not None:
        return
    collab = Collaboration(
        code=code,
        name=name,
        kind=kind,
        theme_code=theme,
        scope=scope,
        legal_basis=legal_basis,
        processing_activity_code=KNELPUNT if kind == "handhavingsknelpunt" else TAFEL,
        starts_on=starts,
        ends_on=ends,
    )
    session.add(collab)
    session.flush()
    exchanging = []
    for org_code in participants:
        if org_code in orgs:
            # Under the Wgs only statutory participants exchange; the others take part without data.
            participation = default_participation(orgs[org_code], wgs=collab.is_wgs)
            session.add(
                CollaborationParticipant(
                    collaboration_id=collab.id, organisation_id=orgs[org_code].id, participation=participation.value
                )
            )
            if participation is Participation.UITWISSELING:
                exchanging.append(org_code)
    for username in members:
        if username in users:
            session.add(
                CollaborationMember(
                    collaboration_id=collab.id, user_id=users[username].id, is_manager=".casusregisseur" in username
                )
            )
    for org_code in exchanging:
        record_ids = session.scalars(
            select(Record.id)
            .where(
                Record.source_organisation_id == orgs[org_code].id,
                Record.theme_code.in_(shared_themes or ([theme] if theme else [])),
            )
            .order_by(Record.id)
            .limit(per_org)
        ).all()
        for record_id in record_ids:
            session.add(SharedRecord(collaboration_id=collab.id, record_id=record_id, shared_by=f"demo:{org_code}"))


def _demo_collaborations(
    session: Session, orgs: dict[str, Organisation], users: dict[str, UserAccount], today: dt.date
) -> None:
    year_start = dt.date(today.year, 1, 1)
    _collaboration(
        session,
        orgs,
        users,
        code="TAFEL-AFVAL-NZKG",
        name="Thematische tafel Afval Noordzeekanaalgebied",
        kind="thematische_tafel",
        theme="afval",
        scope="Binnen: illegale afvalstromen en -verwerking in het Noordzeekanaalgebied en de Rijnmond. "
        "Buiten: vergunningverlening en handhaving zonder afvalcomponent.",
        legal_basis="Convenant gegevensuitwisseling en samenwerking 2020 (per partnerpaar de matrix)",
        starts=year_start,
        ends=year_start.replace(year=today.year + 1) - dt.timedelta(days=1),
        participants=("OD-NZKG", "OD-NZKG-BOA", "DCMR", "ILT", "POLITIE", "OM-FP"),
        members=(
            "od-nzkg.analist",
            "od-nzkg.casusregisseur",
            "od-nzkg.inspecteur",
            "od-nzkg-boa.inspecteur",
            "dcmr.analist",
            "ilt.analist",
            "politie.analist",
            "om-fp.analist",
        ),
    )
    _collaboration(
        session,
        orgs,
        users,
        code="KNELPUNT-AFVAL-AA",
        name="Handhavingsknelpunt afvalcriminaliteit Amsterdam-Amstelland",
        kind="handhavingsknelpunt",
        theme=None,
        scope="Binnen: ondermijnende afval- en asbestverwerkers en hun facilitators in Amsterdam-Amstelland. "
        "Buiten: nationaliteit en andere gegevens die de Wgs uitsluit.",
        legal_basis="Wgs; aanwijzing door het RIEC Amsterdam-Amstelland, één jaar",
        starts=today - dt.timedelta(days=90),
        ends=knelpunt_term_end(today - dt.timedelta(days=90)),
        # The omgevingsdienst is no statutory RIEC participant: it takes part without exchanging data.
        # The Arbeidsinspectie (statutory) brings its asbestos inspections.
        participants=("RIEC-AA", "OD-NZKG", "POLITIE", "GEM-AMS", "NLA"),
        shared_themes=("afval", "asbest"),
        members=("riec-aa.casusregisseur", "od-nzkg.analist", "politie.analist"),
    )
    _collaboration(
        session,
        orgs,
        users,
        code="TAFEL-FGAS-2023",
        name="Thematische tafel F-gassen 2023 (afgelopen)",
        kind="thematische_tafel",
        theme="f-gassen",
        scope="Binnen: handel in en gebruik van F-gassen zonder certificaat. Afgelopen op 31-12-2023.",
        legal_basis="Convenant gegevensuitwisseling en samenwerking 2020",
        starts=dt.date(2023, 1, 1),
        ends=dt.date(2023, 12, 31),
        participants=("OD-NZKG", "DCMR", "ILT"),
        members=("od-nzkg.analist", "dcmr.analist", "ilt.analist"),
    )


def existing_demo_accounts(engine: Engine) -> list[DemoAccount]:
    """The demo accounts of an already seeded demo database (passwords re-derived from its seed)."""
    with Session(engine) as session:
        run = session.scalars(select(DemoSeedRun).order_by(DemoSeedRun.id.desc()).limit(1)).first()
        if run is None:
            return []
        wanted = {demo_username(code, role): (code, role) for code, role, _c in DEMO_ACCOUNTS}
        found = session.scalars(select(UserAccount.username).where(UserAccount.username.in_(wanted))).all()
        return [
            (name, demo_password(name, run.seed), wanted[name][1].value, wanted[name][0])
            for name in sorted(found, key=list(wanted).index)
        ]

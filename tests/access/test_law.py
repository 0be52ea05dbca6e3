"""The law as the seeds say it: who exchanges under the Wgs, validated bases, a formal year."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditEntry
from plein.core.models import Organisation
from plein.errors import ValidationError
from plein.policy import Gate, Purpose, Refused
from plein.policy.admin import add_participant, create_collaboration, extend_knelpunt, knelpunt_term_end
from plein.policy.models import Collaboration, CollaborationParticipant, LegalBasis, SharedRecord
from plein.policy.participation import Participation, is_statutory
from plein.policy.validation import validate_basis, validate_reading
from plein.settings import Settings
from plein.web.app import create_app
from tests.access.world import build_world, login

# ------------------------------------------------------------------ a formal year


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (dt.date(2025, 3, 10), dt.date(2026, 3, 9)),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 27)),  # the same date a year later is 28 February
        (dt.date(2024, 3, 1), dt.date(2025, 2, 28)),
        (dt.date(2023, 3, 1), dt.date(2024, 2, 29)),  # a term across a leap day keeps it
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_a_knelpunt_runs_to_the_day_before_the_same_date_a_year_later(starts: dt.date, ends: dt.date) -> None:
    assert knelpunt_term_end(starts) == ends


def test_extending_a_knelpunt_adds_a_formal_year() -> None:
    collab = Collaboration(kind="handhavingsknelpunt", starts_on=dt.date(2023, 3, 1), ends_on=dt.date(2024, 2, 29))
    extend_knelpunt(collab)
    assert collab.ends_on == dt.date(2025, 2, 28)  # the term 01-03-2024 … 28-02-2025


# ------------------------------------------------------------------ participants


def _org(session: Session, code: str, kind: str, name: str = "", parent: Organisation | None = None) -> Organisation:
    org = Organisation(
        code=code,
        name=name or f"Organisatie {code}",
        kind=kind,
        legal_domain="bestuursrecht",
        parent_id=parent.id if parent else None,
    )
    session.add(org)
    session.flush()
    return org


def test_only_statutory_participants_exchange_under_the_wgs(engine: Engine) -> None:
    with Session(engine) as session:
        nvwa = _org(session, "NVWA", "rijksinspectie", "Nederlandse Voedsel- en Warenautoriteit")
        orgs = {
            "OD": _org(session, "OD", "omgevingsdienst"),
            "ILT": _org(session, "ILT", "rijksinspectie", "Inspectie Leefomgeving en Transport"),
            "NVWA": nvwa,
            "NVWA-IOD": _org(session, "NVWA-IOD", "bijzondere-opsporingsdienst", "NVWA – IOD", nvwa),
            "NLA": _org(session, "NLA", "rijksinspectie", "Nederlandse Arbeidsinspectie"),
            "POL": _org(session, "POL", "politie"),
            "GEM": _org(session, "GEM", "gemeente"),
            "KMAR": _org(session, "KMAR", "uitvoeringsorganisatie", "Koninklijke Marechaussee"),
            "UWV": _org(session, "UWV", "uitvoeringsorganisatie"),
            "RWS": _org(session, "RWS", "uitvoeringsorganisatie", "Rijkswaterstaat"),
            "PVO": _org(session, "PVO", "uitvoeringsorganisatie", "Platform Veilig Ondernemen"),
            "RIEC": _org(session, "RIEC", "riec"),
        }
        statutory = {code for code, org in orgs.items() if is_statutory(org)}
        assert statutory == {"NVWA", "NVWA-IOD", "NLA", "POL", "GEM", "KMAR", "UWV", "RIEC"}
        knelpunt = create_collaboration(
            session,
            code="KP",
            name="Knelpunt",
            kind="handhavingsknelpunt",
            theme_code="",
            scope="test",
            legal_basis="Wgs",
            starts_on=dt.date(2026, 1, 1),
        )
        tafel = create_collaboration(
            session,
            code="TF",
            name="Tafel",
            kind="thematische_tafel",
            theme_code="",
            scope="test",
            legal_basis="convenant",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
        )
        kinds = {code: add_participant(session, knelpunt, code).participation for code in orgs}
        assert {code for code, kind in kinds.items() if kind == Participation.UITWISSELING} == statutory
        for code in ("OD", "ILT", "PVO"):
            with pytest.raises(ValidationError, match="geen wettelijke deelnemer"):
                add_participant(session, knelpunt, code, "uitwisseling")
        assert add_participant(session, knelpunt, "POL", "zonder_uitwisseling").participation == "zonder_uitwisseling"
        with pytest.raises(ValidationError, match="Deelname"):
            add_participant(session, knelpunt, "POL", "alles")
        # A thematic table follows the covenant matrix per pair: everyone exchanges by default.
        assert add_participant(session, tafel, "OD").participation == Participation.UITWISSELING
        assert add_participant(session, tafel, "ILT", "zonder_uitwisseling").participation == "zonder_uitwisseling"


def test_a_participant_without_exchange_cannot_share(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
        knelpunt = Purpose.for_collaboration(world.collabs["KNELPUNT"])
        with pytest.raises(Refused) as refused:
            Gate(session, world.actor("a.analist"), knelpunt).share_record(world.records["ODA-vertrouwelijk"])
        assert refused.value.rule == "deelname"
        shared = Gate(session, world.actor("pol.analist"), knelpunt).share_record(world.records["POL-geheim"])
        session.commit()
        assert shared.record_id == world.records["POL-geheim"]


def test_the_demo_knelpunt_follows_the_brochure(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        collab = session.scalars(select(Collaboration).where(Collaboration.code == "KNELPUNT-AFVAL-AA")).one()
        kinds = {
            org.code: participant.participation
            for participant, org in session.execute(
                select(CollaborationParticipant, Organisation)
                .join(Organisation, Organisation.id == CollaborationParticipant.organisation_id)
                .where(CollaborationParticipant.collaboration_id == collab.id)
            )
        }
        assert kinds == {
            "RIEC-AA": "uitwisseling",
            "POLITIE": "uitwisseling",
            "GEM-AMS": "uitwisseling",
            "NLA": "uitwisseling",
            "OD-NZKG": "zonder_uitwisseling",
        }
        od = session.scalars(select(Organisation.id).where(Organisation.code == "OD-NZKG")).one()
        from plein.core.models import Record

        od_shares = session.scalars(
            select(SharedRecord.id)
            .join(Record, Record.id == SharedRecord.record_id)
            .where(SharedRecord.collaboration_id == collab.id, Record.source_organisation_id == od)
        ).all()
        assert od_shares == []
        assert collab.ends_on == knelpunt_term_end(collab.starts_on)


# ------------------------------------------------------------------ validated bases


def _basis(session: Session, sender: str, receiver: str) -> LegalBasis:
    return session.scalars(
        select(LegalBasis).where(LegalBasis.from_party == sender, LegalBasis.to_party == receiver)
    ).one()


def _in_force(session: Session) -> set[tuple[str, str]]:
    return {(b.from_party, b.to_party) for b in session.scalars(select(LegalBasis).where(LegalBasis.in_force()))}


def test_uncertain_cells_wait_for_a_validation_with_a_reference(engine: Engine) -> None:
    with Session(engine) as session:
        uncertain = {(b.from_party, b.to_party) for b in session.scalars(select(LegalBasis)) if b.uncertain}
        assert len(uncertain) == 5
        assert not uncertain & _in_force(session)
        cell = _basis(session, "OM", "Politie")
        with pytest.raises(ValidationError, match="Referentie"):
            validate_basis(session, cell.id, reference="  ", validated_by="beheer")
        with pytest.raises(ValidationError, match="verminkt"):
            validate_basis(session, _basis(session, "OD-toezicht", "OM").id, reference="Advies 12", validated_by="b")
        with pytest.raises(ValidationError, match="niet als onzeker"):
            validate_basis(session, _basis(session, "OM", "OD-toezicht").id, reference="Advies 12", validated_by="b")
        validate_basis(session, cell.id, reference="Advies landsadvocaat 2026/7", validated_by="beheer")
        session.commit()
        cell = _basis(session, "OM", "Politie")
        assert cell.validated_by == "beheer" and cell.validated_at is not None
        assert cell.validation_reference == "Advies landsadvocaat 2026/7"
        assert ("OM", "Politie") in _in_force(session)


def test_the_garbled_row_is_validated_in_the_reading_the_beheerder_chooses(engine: Engine) -> None:
    with Session(engine) as session:
        assert ("OD-toezicht", "OD-BOA") not in {
            (b.from_party, b.to_party) for b in session.scalars(select(LegalBasis))
        }
        with pytest.raises(ValidationError, match="Lezing"):
            validate_reading(session, "OD-toezicht", "anders", reference="Advies 2026/8", validated_by="beheer")
        cells = validate_reading(session, "OD-toezicht", "boa-om", reference="Advies 2026/8", validated_by="beheer")
        session.commit()
        assert {(c.from_party, c.to_party) for c in cells} == {("OD-toezicht", "OD-BOA"), ("OD-toezicht", "OM")}
        force = _in_force(session)
        assert {("OD-toezicht", "OD-BOA"), ("OD-toezicht", "OM")} <= force
        assert ("OD-toezicht", "Politie") not in force
        politie = _basis(session, "OD-toezicht", "Politie")
        assert not politie.active and "boa-om" in politie.validation_reference
        assert _basis(session, "OD-toezicht", "OD-BOA").reading == "boa-om"


def _csrf(page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return token.group(1)


def test_the_matrix_page_shows_status_and_validates_with_an_audited_reference(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        build_world(session, with_passwords=("a.beheer",))
        session.commit()
        cell_id = _basis(session, "OM", "OM").id
    with TestClient(create_app(engine, settings), base_url="https://testserver") as web:
        login(web, "a.beheer")
        page = web.get("/beheer/rechtsgrondslagen")
        assert page.status_code == 200
        assert page.text.count("lezing onzeker: geldt niet tot validatie") == 5
        assert "AVG-cellen onder OD (BOA) en OM" in page.text and "AVG-cellen onder Politie en OM" in page.text
        token = _csrf(page.text)
        short = web.post(
            f"/beheer/rechtsgrondslagen/{cell_id}/valideren", data={"csrf_token": token, "referentie": "x"}
        )
        assert short.status_code == 400 and "Referentie" in short.text
        done = web.post(
            f"/beheer/rechtsgrondslagen/{cell_id}/valideren",
            data={"csrf_token": token, "referentie": "Besluit DG 2026-3"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        reading = web.post(
            "/beheer/rechtsgrondslagen/lezing",
            data={"csrf_token": token, "verstrekker": "OD-toezicht", "lezing": "politie-om", "referentie": "Advies 9"},
            follow_redirects=False,
        )
        assert reading.status_code == 303
        page = web.get("/beheer/rechtsgrondslagen")
        assert page.text.count("lezing onzeker: geldt niet tot validatie") == 2
        assert "Besluit DG 2026-3" in page.text and "(lezing politie-om)" in page.text
    with Session(engine) as session:
        details = [
            e.details
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.name.like("beheer.grondslag.%valideren")).order_by(AuditEntry.seq)
            )
        ]
    assert details[0]["referentie"] == "Besluit DG 2026-3"
    assert details[1]["lezing"] == "politie-om" and details[1]["referentie"] == "Advies 9"


def test_the_collaboration_page_records_the_kind_of_participation(engine: Engine, settings: Settings) -> None:
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session, with_passwords=("a.beheer",))
        session.commit()
    knelpunt = world.collabs["KNELPUNT"]
    with TestClient(create_app(engine, settings), base_url="https://testserver") as web:
        login(web, "a.beheer")
        page = web.get(f"/beheer/samenwerkingen/{knelpunt}")
        assert 'ODA – Organisatie ODA:\n  <span data-deelname="zonder_uitwisseling">' in page.text
        token = _csrf(page.text)
        refused = web.post(
            f"/beheer/samenwerkingen/{knelpunt}/wijzigen",
            data={"csrf_token": token, "actie": "deelnemer", "organisatie": "ODB", "deelname": "uitwisseling"},
        )
        assert refused.status_code == 400 and "geen wettelijke deelnemer" in refused.text
        added = web.post(
            f"/beheer/samenwerkingen/{knelpunt}/wijzigen",
            data={"csrf_token": token, "actie": "deelnemer", "organisatie": "ODB"},
        )
        assert added.status_code == 200
        assert 'ODB – Organisatie ODB:\n  <span data-deelname="zonder_uitwisseling">' in added.text


def test_the_migration_marks_existing_non_statutory_knelpunt_participants(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from plein.store.engine import create_engine_for
    from plein.store.migrate import alembic_config, upgrade

    engine = create_engine_for(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        command.downgrade(config, "0009_audit_subject_lean")
    with engine.begin() as connection:
        insert_org = "INSERT INTO organisation (id, code, name, kind, legal_domain, created_at) VALUES "
        connection.execute(
            text(insert_org + "(1, 'OD', 'Omgevingsdienst', 'omgevingsdienst', 'bestuursrecht', :t)"),
            {"t": dt.datetime.now(dt.UTC)},
        )
        connection.execute(
            text(insert_org + "(2, 'POL', 'Politie', 'politie', 'strafrecht', :t)"), {"t": dt.datetime.now(dt.UTC)}
        )
        for cid, kind, activity in (
            (1, "handhavingsknelpunt", "wgs-knelpunt"),
            (2, "thematische_tafel", "thematische-tafel"),
        ):
            connection.execute(
                text(
                    "INSERT INTO collaboration (id, code, name, kind, scope, legal_basis, processing_activity_code, "
                    "starts_on, ends_on, created_at) VALUES (:id, :code, 'x', :kind, '', '', :activity, :s, :e, :t)"
                ),
                {
                    "id": cid,
                    "code": f"C{cid}",
                    "kind": kind,
                    "activity": activity,
                    "s": dt.date(2026, 1, 1),
                    "e": dt.date(2026, 12, 31),
                    "t": dt.datetime.now(dt.UTC),
                },
            )
            for org in (1, 2):
                connection.execute(
                    text("INSERT INTO collaboration_participant (collaboration_id, organisation_id) VALUES (:c, :o)"),
                    {"c": cid, "o": org},
                )
    upgrade(engine)
    with engine.connect() as connection:
        rows = set(
            connection.execute(
                text("SELECT collaboration_id, organisation_id, participation FROM collaboration_participant")
            ).all()
        )
    engine.dispose()
    assert rows == {
        (1, 1, "zonder_uitwisseling"),
        (1, 2, "uitwisseling"),
        (2, 1, "uitwisseling"),
        (2, 2, "uitwisseling"),
    }

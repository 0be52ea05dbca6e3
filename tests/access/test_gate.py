"""The policy gate on a tiny world: purpose binding, the matrix, confidentiality, periods, Wgs, aggregates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.keys import keys_from_secret
from plein.audit.models import AuditEntry, AuditSubject
from plein.core.models import Record
from plein.policy import Gate, NotVisible, Purpose, Refused
from plein.policy.admin import record_legal_basis
from plein.policy.models import CollaborationMember, ProcessingActivity
from plein.policy.register import OPERATIONS, Operation
from plein.policy.roles import Role
from plein.policy.validation import validate_reading
from tests.access.world import World, build_world

KEYS = keys_from_secret("test-secret")


@pytest.fixture
def world_session(shared_world: tuple[Engine, World]) -> Iterator[tuple[Session, World]]:
    """The module's shared world: for tests that change nothing others can see."""
    engine, world = shared_world
    with Session(engine, expire_on_commit=False) as session:
        yield session, world


@pytest.fixture
def fresh_world(engine: Engine) -> Iterator[tuple[Session, World]]:
    """A world of its own, for tests that change the matrix or share records."""
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
        yield session, world


def gate(session: Session, world: World, user: str, purpose: Purpose) -> Gate:
    return Gate(session, world.actor(user), purpose, keys=KEYS)


def visible(session: Session, world: World, user: str, purpose: Purpose) -> set[str]:
    ids = {r.id for r in gate(session, world, user, purpose).read_records()}
    return {name for name, rid in world.records.items() if rid in ids}


def collab(world: World, code: str) -> Purpose:
    return Purpose.for_collaboration(world.collabs[code])


TOEZICHT = Purpose.for_activity("toezicht")


def test_own_task_shows_own_records_up_to_clearance(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    assert visible(session, world, "a.analist", TOEZICHT) == {"ODA-intern", "ODA-vertrouwelijk"}


def test_collaboration_follows_the_legal_basis_matrix(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    # OD→OD and Politie→OD have a basis; ILT (rijksinspectie) has none; own records are not shared here.
    assert visible(session, world, "a.analist", collab(world, "TAFEL")) == {
        "ODB-intern",
        "ODB-vertrouwelijk",
        "POL-intern",
        "POL-vertrouwelijk",
    }
    # ILT receives nothing from the others (no basis towards a rijksinspectie), only sees its own shares.
    assert visible(session, world, "ilt.analist", collab(world, "TAFEL")) == {"ILT-intern", "ILT-vertrouwelijk"}
    # OD-toezicht → Politie is an uncertain cell of the packaged matrix: not in force until validated.
    assert visible(session, world, "pol.analist", collab(world, "TAFEL")) == {
        "POL-intern",
        "POL-vertrouwelijk",
        "POL-geheim",
    }


def test_an_uncertain_cell_shares_once_a_beheerder_validates_its_reading(fresh_world: tuple[Session, World]) -> None:
    session, world = fresh_world
    validate_reading(
        session, "OD-toezicht", "politie-om", reference="Juridisch advies 2026-014 (test)", validated_by="a.beheer"
    )
    session.commit()
    assert visible(session, world, "pol.analist", collab(world, "TAFEL")) == {
        "ODB-intern",
        "ODB-vertrouwelijk",
        "ODB-geheim",
        "POL-intern",
        "POL-vertrouwelijk",
        "POL-geheim",
    }


def test_a_basis_recorded_by_a_beheerder_takes_effect_at_once(fresh_world: tuple[Session, World]) -> None:
    session, world = fresh_world
    record_legal_basis(
        session,
        from_party="ILT",
        to_party="OD-toezicht",
        basis="art. 5:20 Awb (test)",
        justification="test",
        recorded_by="a.beheer",
    )
    session.commit()
    assert {"ILT-intern", "ILT-vertrouwelijk"} <= visible(session, world, "a.analist", collab(world, "TAFEL"))


def test_expired_collaboration_is_refused(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    with pytest.raises(Refused) as refused:
        visible(session, world, "a.analist", collab(world, "OUD"))
    assert refused.value.rule == "periode"


def test_non_member_gets_the_same_answer_as_for_a_missing_collaboration(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    with pytest.raises(Refused) as not_member:
        visible(session, world, "b.analist", collab(world, "KNELPUNT"))
    with pytest.raises(Refused) as missing:
        visible(session, world, "b.analist", Purpose.for_collaboration(987654))
    assert not_member.value.message == missing.value.message
    assert not_member.value.rule == "need-to-know"


def test_wgs_knelpunt_shares_among_statutory_participants_only(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    # ILT and the omgevingsdienst ODA are no statutory RIEC participants: the OD analyst receives
    # nothing in the knelpunt (not ILT's records), and neither contributes to the others.
    assert visible(session, world, "a.analist", collab(world, "KNELPUNT")) == set()
    assert visible(session, world, "ilt.analist", collab(world, "KNELPUNT")) == set()
    assert visible(session, world, "riec.regisseur", collab(world, "KNELPUNT")) == {"POL-intern", "POL-vertrouwelijk"}
    assert visible(session, world, "pol.analist", collab(world, "KNELPUNT")) == {
        "POL-intern",
        "POL-vertrouwelijk",
        "POL-geheim",
    }


def test_purpose_must_fit_the_role(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    for user, purpose in (("a.analist", "sturing"), ("a.beheer", "toezicht"), ("a.analist", "bestaat-niet")):
        with pytest.raises(Refused) as refused:
            visible(session, world, user, Purpose.for_activity(purpose))
        assert refused.value.rule == "doelbinding"
    with pytest.raises(Refused) as refused:
        visible(session, world, "a.beheer", Purpose.for_activity("beheer"))
    assert refused.value.rule == "rol"


def test_a_change_to_the_register_takes_effect_at_once(fresh_world: tuple[Session, World]) -> None:
    session, world = fresh_world
    assert visible(session, world, "a.analist", TOEZICHT)  # the activity is now in the gate's cache
    activity = session.get(ProcessingActivity, "toezicht")
    assert activity is not None
    activity.roles = [role for role in activity.roles if role != "analist"]
    session.commit()
    with pytest.raises(Refused) as refused:
        visible(session, world, "a.analist", TOEZICHT)
    assert refused.value.rule == "doelbinding"
    activity.active = False
    session.commit()
    with pytest.raises(Refused) as refused:
        visible(session, world, "b.analist", TOEZICHT)
    assert "verwerkingsregister" in refused.value.message


def test_removing_a_member_takes_effect_at_once(fresh_world: tuple[Session, World]) -> None:
    session, world = fresh_world
    assert visible(session, world, "a.analist", collab(world, "TAFEL"))  # membership now in the gate's cache
    session.execute(
        delete(CollaborationMember).where(
            CollaborationMember.collaboration_id == world.collabs["TAFEL"],
            CollaborationMember.user_id == world.users["a.analist"].id,
        )
    )
    session.commit()
    with pytest.raises(Refused) as refused:
        visible(session, world, "a.analist", collab(world, "TAFEL"))
    assert refused.value.rule == "need-to-know"


def test_idor_answer_does_not_reveal_existence(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    g = gate(session, world, "a.analist", TOEZICHT)
    other = world.records["ODB-intern"]
    with pytest.raises(NotVisible) as refused:
        g.read_record(other)
    with pytest.raises(NotVisible) as missing:
        g.read_record(10**9)
    assert refused.value.message.replace(str(other), "N") == missing.value.message.replace(str(10**9), "N")
    assert g.read_record(world.records["ODA-intern"]).id == world.records["ODA-intern"]


def test_beleidsmedewerker_gets_suppressed_aggregates_only(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    g = Gate(session, world.actor("a.beleid"), Purpose.for_activity("sturing"), keys=KEYS, min_cell=3)
    with pytest.raises(Refused) as refused:
        g.read_records()
    assert refused.value.rule == "alleen-aggregaten"
    with pytest.raises(Refused):
        g.read_record(world.records["ODA-intern"])
    assert [c.count for c in g.aggregate([Record.theme_code])] == [None]  # 2 records < 3
    g2 = Gate(session, world.actor("a.beleid"), Purpose.for_activity("sturing"), keys=KEYS, min_cell=2)
    assert [c.count for c in g2.aggregate([Record.theme_code])] == [2]


def test_refusals_are_audited_even_when_the_caller_rolls_back(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    g = gate(session, world, "a.analist", collab(world, "OUD"))
    with pytest.raises(Refused):
        g.read_records()
    session.rollback()
    rows = session.execute(
        select(AuditEntry.status, AuditEntry.rule).where(AuditEntry.trace_id == g.trace.trace_id)
    ).all()
    assert [tuple(r) for r in rows] == [("geweigerd", "periode")]


def test_reads_are_audited_with_pseudonymised_subjects(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    g = gate(session, world, "a.analist", TOEZICHT)
    rows = g.read_records()
    mine = select(AuditEntry).where(AuditEntry.trace_id == g.trace.trace_id)
    assert session.scalar(select(func.count()).select_from(mine.subquery())) == 0  # buffered until commit
    session.commit()
    entry = session.scalars(mine).one()
    assert entry.parent_span_id == g.trace.span_id
    assert entry.processing_activity == "toezicht" and entry.status == "ok"
    pseudonyms = set(session.scalars(select(AuditSubject.pseudonym).where(AuditSubject.entry_seq == entry.seq)))
    kvks = {r.reported_kvk for r in rows}
    assert pseudonyms == {KEYS.pseudonym("kvk", k) for k in kvks}
    assert not kvks & pseudonyms


def test_wgs_forbidden_categories_never_pass(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    g = Gate(session, world.actor("a.inspecteur"), TOEZICHT, keys=KEYS)
    g.check_fields(["naam", "kvk"])
    with pytest.raises(Refused) as refused:
        g.check_fields(["naam", "persoon.nationaliteit"])
    assert refused.value.rule == "wgs"
    clean = Gate.scrub({"naam": "x", "nationality": "y", "eigenaar": {"nationaliteit": "z", "naam": "q"}})
    assert clean == {"naam": "x", "eigenaar": {"naam": "q"}}


def test_sharing_respects_ownership_period_and_theme(fresh_world: tuple[Session, World]) -> None:
    session, world = fresh_world
    tafel = gate(session, world, "a.analist", collab(world, "TAFEL"))
    tafel.share_record(world.records["ODA-intern"])
    session.commit()
    assert "ODA-intern" in visible(session, world, "b.analist", collab(world, "TAFEL"))
    with pytest.raises(NotVisible):
        tafel.share_record(world.records["ODB-intern"])  # not ours
    with pytest.raises(Refused) as expired:
        gate(session, world, "a.analist", collab(world, "OUD")).share_record(world.records["ODA-intern"])
    assert expired.value.rule == "periode"


def test_writes_only_for_own_organisation_and_writer_roles(world_session: tuple[Session, World]) -> None:
    session, world = world_session
    gate(session, world, "a.inspecteur", TOEZICHT).authorise_record_write(world.orgs["ODA"])
    with pytest.raises(Refused):
        gate(session, world, "a.inspecteur", TOEZICHT).authorise_record_write(world.orgs["ODB"])
    with pytest.raises(Refused) as role:
        gate(session, world, "a.analist", TOEZICHT).authorise_record_write(world.orgs["ODA"])
    assert role.value.rule == "rol"


def test_the_registers_role_rules_are_decided_by_the_gate(world_session: tuple[Session, World]) -> None:
    """Each operation of the register: allowed roles pass, every other role is refused (rule rol) and audited."""
    session, world = world_session
    users = {"a.analist": "analist", "a.inspecteur": "inspecteur", "a.beleid": "beleidsmedewerker"}
    users |= {"a.beheer": "beheerder", "a.fg": "privacy_officer"}
    for operation, rule in OPERATIONS.items():
        assert rule.roles and rule.refusal, operation
        for username, role in users.items():
            g = gate(session, world, username, TOEZICHT)
            allowed = Role(role) in rule.roles
            assert g.permits(operation) is allowed, (operation, username)
            if allowed:
                g.permit(operation, AuditAction.PURPOSE_CHECK)
                continue
            with pytest.raises(Refused) as refused:
                g.permit(operation, AuditAction.PURPOSE_CHECK)
            assert (refused.value.rule, refused.value.message) == ("rol", rule.refusal)
            logged = session.execute(
                select(AuditEntry.name, AuditEntry.status, AuditEntry.rule).where(
                    AuditEntry.trace_id == g.trace.trace_id
                )
            ).all()
            assert [tuple(r) for r in logged] == [(AuditAction.PURPOSE_CHECK.value, "geweigerd", "rol")], (
                operation,
                username,
            )
    assert Role.ANALIST in OPERATIONS[Operation.START_CRAWL].roles
    assert Role.INSPECTEUR not in OPERATIONS[Operation.START_CRAWL].roles
    assert Role.BEHEERDER not in OPERATIONS[Operation.SHARE].roles

"""Resolution on the small demo world: F1 against its ground truth, successions, review decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from plein.audit.models import AuditEntry
from plein.core.models import LegalEntityLink
from plein.resolve.evaluate import evaluate, ground_truth_links
from plein.resolve.models import ResolvedSubject, ResolveLink, ReviewDecision
from plein.resolve.review import decide
from plein.resolve.service import run_resolution
from plein.resolve.succession import detect_successions
from plein.store.engine import session_factory


def _subjects(engine: Engine) -> dict[int, int]:
    with session_factory(engine)() as session:
        return {s.establishment_id: s.subject_id for s in session.scalars(select(ResolvedSubject))}


@pytest.mark.slow
def test_resolution_on_the_demo_world(engine: Engine, tmp_path: Path) -> None:
    from plein.demo.seed import seed_demo_world

    truth_dir = tmp_path / "demo"
    seed_demo_world(engine, size="small", seed=3, out_dir=truth_dir)
    truth = json.loads((truth_dir / "ground-truth.json").read_text())

    # KvK successions are found from the data alone (same address, shared people).
    with session_factory(engine)() as session:
        detected = {(s.old_legal_entity_id, s.new_legal_entity_id) for s in detect_successions(session)}
    expected = {(s["old_legal_entity_id"], s["new_legal_entity_id"]) for s in truth["kvk_successions"]}
    assert expected and expected <= detected

    first = run_resolution(engine)
    score = evaluate(engine, truth_dir)
    assert score.f1 >= 0.97, score
    assert first.counts["vestiging_geaccepteerd"] >= 0.9 * len(truth["duplicate_establishments"])

    # every link explains itself
    with session_factory(engine)() as session:
        links = list(session.scalars(select(ResolveLink).limit(500)))
        assert all(link.reasons for link in links)
        fuzzy = session.scalars(select(ResolveLink).where(ResolveLink.method == "probabilistisch").limit(1)).first()
        assert fuzzy is not None and "naam" in fuzzy.reasons["velden"] and fuzzy.match_weight is not None
        succession_links = session.scalars(
            select(ResolveLink).where(ResolveLink.reasons["opvolging"].isnot(None)).limit(5)
        ).all()
    subjects_before = _subjects(engine)

    # records after a succession belong to the new establishment, before it to the old one
    truth_links = ground_truth_links(truth_dir)
    for succession in truth["kvk_successions"]:
        with session_factory(engine)() as session:
            linked = session.scalars(
                select(ResolveLink).where(
                    ResolveLink.item_kind == "record",
                    ResolveLink.establishment_id.in_(
                        [succession["old_establishment_id"], succession["new_establishment_id"]]
                    ),
                )
            ).all()
        for link in linked:
            assert truth_links[("record", link.item_id)] == link.establishment_id
    assert succession_links is not None

    # a reviewer says no to one link and yes to another target for a second item
    with session_factory(engine).begin() as session:
        rejected = session.scalars(
            select(ResolveLink).where(ResolveLink.item_kind == "record").order_by(ResolveLink.item_id).limit(1)
        ).one()
        moved = session.scalars(
            select(ResolveLink)
            .where(ResolveLink.item_kind == "record", ResolveLink.establishment_id != rejected.establishment_id)
            .order_by(ResolveLink.item_id)
            .limit(1)
        ).one()
        rejected_key = (rejected.item_id, rejected.establishment_id)
        other_target = rejected.establishment_id
        decide(session, rejected.id, "nee", reviewer="test")
        moved_link = decide(session, moved.id, "nee", reviewer="test")
        session.add(
            ReviewDecision(item_kind="record", item_id=moved_link.item_id, establishment_id=other_target, decision="ja")
        )
        moved_item = moved_link.item_id

    second = run_resolution(engine)
    assert second.run_id != first.run_id
    with session_factory(engine)() as session:
        again = session.scalars(
            select(ResolveLink).where(ResolveLink.item_kind == "record", ResolveLink.item_id == rejected_key[0])
        ).first()
        assert again is None or again.establishment_id != rejected_key[1]
        confirmed = session.scalars(
            select(ResolveLink).where(ResolveLink.item_kind == "record", ResolveLink.item_id == moved_item)
        ).one()
    assert (confirmed.establishment_id, confirmed.status, confirmed.method) == (
        other_target,
        "bevestigd",
        "beoordeling",
    )

    # subject ids stay the same from run to run
    assert _subjects(engine) == subjects_before
    with session_factory(engine)() as session:
        kinds = set(session.scalars(select(LegalEntityLink.kind)))
        audited = set(session.scalars(select(AuditEntry.name)))
    assert "opvolging" in kinds
    assert {"entiteitsresolutie.gestart", "entiteitsresolutie.voltooid"} <= audited

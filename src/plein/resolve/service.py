"""``plein resolve``: link records and partner establishments to KvK establishments, with reasons.

Order of work: KvK successions are detected and linked; identifiers that agree (KvK number plus
address, or vestigingsnummer plus postcode) give deterministic links; Splink scores the rest.
Reviewer decisions override the model on every run; links below the accept threshold but above the
review threshold wait in the review queue. Subject ids are the id of the KvK establishment a cluster
contains, so they do not change from run to run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Table, delete, select, update
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.core.models import Establishment, utcnow
from plein.core.vocabulary import RunStatus
from plein.policy.gate import Gate, system_gate
from plein.policy.register import RESOLUTIE
from plein.resolve.company_model import company_spec
from plein.resolve.data import COLUMNS, canonical_establishments, partner_establishments, record_signatures
from plein.resolve.models import LINKED, LinkStatus, ResolvedSubject, ResolveLink, ResolveRun, ReviewDecision
from plein.resolve.splink_model import ScoredPair, score_pairs
from plein.resolve.succession import SuccessionIndex, detect_successions, record_successions, succession_index
from plein.store.bulk import bulk_insert
from plein.store.engine import session_factory

LINKS: Table = ResolveLink.__table__  # type: ignore[assignment]
SUBJECTS: Table = ResolvedSubject.__table__  # type: ignore[assignment]
ACCEPT_WEIGHT = 8.0
REVIEW_WEIGHT = 2.0
AMBIGUITY_MARGIN = 2.0

Progress = Callable[[str], None]


@dataclass
class Candidate:
    """One proposed target for an item, with how it was found and why."""

    establishment_id: int
    method: str
    weight: float | None
    probability: float | None
    reasons: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolveSummary:
    """What a run did."""

    run_id: int
    counts: dict[str, int]
    seconds: float


def _deterministic(left: pd.DataFrame, right: pd.DataFrame) -> dict[str, tuple[str, dict[str, str]]]:
    """Left ids whose identifiers agree exactly with one canonical establishment."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    rules = [
        (["kvk", "postcode", "house_number"], {"KvK-nummer": "gelijk", "postcode": "gelijk", "huisnummer": "gelijk"}),
        (["establishment_number", "postcode"], {"vestigingsnummer": "gelijk", "postcode": "gelijk"}),
    ]
    for keys, reasons in rules:
        lhs = left.dropna(subset=keys)[["unique_id", *keys]]
        rhs = right.dropna(subset=keys)[["unique_id", *keys]]
        merged = lhs.merge(rhs, on=keys, suffixes=("_l", "_r"))
        unique = merged.groupby("unique_id_l")["unique_id_r"].nunique()
        for row in merged[merged["unique_id_l"].isin(unique[unique == 1].index)].itertuples(index=False):
            found.setdefault(str(row.unique_id_l), (str(row.unique_id_r), reasons))
    return found


def _candidates(left: pd.DataFrame, right: pd.DataFrame, pairs: list[ScoredPair]) -> dict[str, list[Candidate]]:
    """Per left id, its candidates, deterministic first, then by weight."""
    by_left: dict[str, list[Candidate]] = defaultdict(list)
    for pair in sorted(pairs, key=lambda p: (-p.match_weight, p.right_id)):
        by_left[pair.left_id].append(
            Candidate(
                int(pair.right_id[1:]),
                "probabilistisch",
                round(pair.match_weight, 2),
                round(pair.match_probability, 4),
                {"velden": pair.reasons},
            )
        )
    for left_id, (right_id, reasons) in _deterministic(left, right).items():
        target = int(right_id[1:])
        scored = next((c for c in by_left.get(left_id, []) if c.establishment_id == target), None)
        deterministic = Candidate(
            target,
            "identificatie",
            scored.weight if scored else None,
            scored.probability if scored else None,
            {"identificatie": reasons, **({"velden": scored.reasons["velden"]} if scored else {})},
        )
        by_left[left_id] = [deterministic, *[c for c in by_left.get(left_id, []) if c.establishment_id != target]]
    return by_left


def _status(candidates: list[Candidate], accept: float, review: float) -> str | None:
    top = candidates[0]
    if top.method == "identificatie":
        return LinkStatus.ACCEPTED
    weight = top.weight or 0.0
    if weight < review:
        return None
    runner_up = next((c for c in candidates[1:] if c.establishment_id != top.establishment_id), None)
    ambiguous = runner_up is not None and (runner_up.weight or 0.0) > weight - AMBIGUITY_MARGIN
    return LinkStatus.ACCEPTED if weight >= accept and not ambiguous else LinkStatus.TO_REVIEW


def _decisions(session: Session) -> dict[tuple[str, int], dict[int, str]]:
    decided: dict[tuple[str, int], dict[int, str]] = defaultdict(dict)
    for decision in session.scalars(select(ReviewDecision)):
        decided[(decision.item_kind, decision.item_id)][decision.establishment_id] = decision.decision
    return decided


def _choose(
    kind: str,
    item_id: int,
    candidates: list[Candidate],
    decided: dict[tuple[str, int], dict[int, str]],
    accept: float,
    review: float,
    attribute: Callable[[int], tuple[int, str]] | None = None,
) -> tuple[Candidate, str] | None:
    """The link for one item after successions and reviewer decisions, with its status."""
    verdicts = decided.get((kind, item_id), {})
    confirmed = [est for est, verdict in verdicts.items() if verdict == "ja"]
    if confirmed:
        reasons = {"beoordeling": "bevestigd door een beoordelaar"}
        return Candidate(confirmed[0], "beoordeling", None, None, reasons), LinkStatus.CONFIRMED
    pool: list[Candidate] = []
    for candidate in candidates:
        target, why = attribute(candidate.establishment_id) if attribute else (candidate.establishment_id, "")
        if verdicts.get(target) == "nee":
            continue
        if target != candidate.establishment_id:
            candidate = Candidate(
                target,
                candidate.method,
                candidate.weight,
                candidate.probability,
                {**candidate.reasons, "opvolging": why},
            )
        if any(c.establishment_id == target for c in pool):
            continue
        pool.append(candidate)
    if not pool:
        return None
    status = _status(pool, accept, review)
    return (pool[0], status) if status else None


def resolution_gate(session: Session) -> Gate:
    """The policy gate for resolution: a platform-wide system actor under the purpose entiteitsresolutie."""
    return system_gate(session, "resolutie", RESOLUTIE)


RESOLUTION_STEPS = 5  # successions, reading, Splink, choosing, storing


class _Steps:
    """Reports each step to the caller ("Stap 2 van 5: …") and stores it on the run for the status page."""

    def __init__(self, engine: Engine, report: Progress) -> None:
        self.engine, self.report, self.step, self.run_id = engine, report, 0, 0

    def _counts(self, message: str) -> dict[str, Any]:
        self.step += 1
        self.report(f"Stap {self.step} van {RESOLUTION_STEPS}: {message}")
        return {"stap": self.step, "stappen": RESOLUTION_STEPS, "fase": message}

    def first(self, run_id: int, message: str) -> dict[str, Any]:
        """The first step, stored by the caller inside the transaction that creates the run."""
        self.run_id = run_id
        return self._counts(message)

    def say(self, message: str) -> None:
        counts = self._counts(message)
        with self.engine.begin() as connection:
            connection.execute(update(ResolveRun).where(ResolveRun.id == self.run_id).values(counts=counts))


def run_resolution(
    engine: Engine,
    *,
    backend: str = "duckdb",
    accept_weight: float = ACCEPT_WEIGHT,
    review_weight: float = REVIEW_WEIGHT,
    progress: Progress | None = None,
) -> ResolveSummary:
    """Resolve every record and partner establishment; replaces the previous run's links."""
    steps = _Steps(engine, progress or (lambda _message: None))
    say = steps.say
    started = dt.datetime.now(dt.UTC)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        gate = resolution_gate(session)
        clause = gate.record_clause(AuditAction.RESOLUTION_READ)  # Refused (audited) if not allowed

        def visible(query: Any) -> Any:
            return query.where(clause)

        gate.audit(AuditAction.RESOLUTION_START, object_type="resolutierun")
        run = ResolveRun(backend=backend, status=RunStatus.RUNNING, counts={})
        session.add(run)
        session.flush()
        run_id = run.id
        run.counts = steps.first(run_id, "KvK-opvolgingen zoeken")
        successions_added = record_successions(session, detect_successions(session))
    say("Gegevens lezen")
    right = canonical_establishments(engine)
    partners = partner_establishments(engine)
    signatures, records = record_signatures(engine, visible=visible)
    left = pd.concat([partners[COLUMNS], signatures[COLUMNS]], ignore_index=True)
    counts: dict[str, int] = {
        "kvk_vestigingen": len(right),
        "partnervestigingen": len(partners),
        "registraties": len(records),
        "signaturen": len(signatures),
        "opvolgingen_nieuw": successions_added,
    }
    pairs: list[ScoredPair] = []
    if len(left) and len(right):
        say(f"Splink ({backend}): {len(left):,} tegen {len(right):,} vergelijken".replace(",", "."))
        pairs = score_pairs(left, right[COLUMNS], company_spec(backend), threshold_weight=review_weight - 4)
    candidates = _candidates(left, right, pairs)
    say("Koppelingen kiezen")
    index = succession_index(engine)
    with sessions() as session:
        decided = _decisions(session)
    links: list[dict[str, Any]] = []
    now = utcnow()

    def add(kind: str, item_id: int, chosen: tuple[Candidate, str] | None) -> None:
        if chosen is None:
            return
        candidate, status = chosen
        links.append(
            {
                "item_kind": kind,
                "item_id": item_id,
                "establishment_id": candidate.establishment_id,
                "method": candidate.method,
                "match_weight": candidate.weight,
                "match_probability": candidate.probability,
                "reasons": candidate.reasons,
                "status": status,
                "run_id": run_id,
                "updated_at": now,
            }
        )

    for partner_id in partners["item_id"]:
        item = int(partner_id)
        add(
            "vestiging",
            item,
            _choose("vestiging", item, candidates.get(f"v{item}", []), decided, accept_weight, review_weight),
        )
    for record_id, signature, occurred_on in records.itertuples(index=False):
        record = int(record_id)
        add(
            "record",
            record,
            _choose(
                "record",
                record,
                candidates.get(f"s{signature}", []),
                decided,
                accept_weight,
                review_weight,
                partial(_attribute, index, occurred_on),
            ),
        )
    say("Koppelingen en subjecten opslaan")
    subjects = _subjects(engine, links, right, run_id)
    with engine.begin() as connection:
        connection.execute(delete(LINKS))
        bulk_insert(connection, LINKS, links)
        connection.execute(delete(SUBJECTS))
        bulk_insert(connection, SUBJECTS, subjects)
    for link in links:
        key = f"{link['item_kind']}_{link['status']}"
        counts[key] = counts.get(key, 0) + 1
    counts["records_ongekoppeld"] = len(records) - sum(1 for link in links if link["item_kind"] == "record")
    with sessions.begin() as session:
        stored = session.get(ResolveRun, run_id)
        assert stored is not None
        stored.status = RunStatus.DONE
        stored.counts = counts
        stored.finished_at = utcnow()
        resolution_gate(session).audit(
            AuditAction.RESOLUTION_DONE, object_type="resolutierun", object_id=str(run_id), details=counts
        )
    return ResolveSummary(run_id, counts, (dt.datetime.now(dt.UTC) - started).total_seconds())


def _attribute(index: SuccessionIndex, day: dt.date | None, establishment_id: int) -> tuple[int, str]:
    return index.attribute(establishment_id, day)


def _subjects(engine: Engine, links: list[dict[str, Any]], right: pd.DataFrame, run_id: int) -> list[dict[str, Any]]:
    """Stable subject ids: a KvK establishment is its own subject; a partner copy joins it when linked."""
    joined = {
        link["item_id"]: link["establishment_id"]
        for link in links
        if link["item_kind"] == "vestiging" and link["status"] in LINKED
    }
    with Session(engine) as session:
        every = list(session.scalars(select(Establishment.id)))
    return [{"establishment_id": est, "subject_id": joined.get(est, est), "run_id": run_id} for est in sorted(every)]

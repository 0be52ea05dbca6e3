"""Measure resolution against the demo world's ground truth (precision, recall, F1 over links)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.errors import ValidationError
from plein.resolve.models import LINKED, ResolveLink

ACCEPTED = LINKED


@dataclass(frozen=True)
class Score:
    """Pairwise scores of the accepted links."""

    precision: float
    recall: float
    f1: float
    true_links: int
    found_links: int
    correct: int


def _score(found: dict[tuple[str, int], int], truth: dict[tuple[str, int], int]) -> Score:
    correct = sum(1 for key, target in found.items() if truth.get(key) == target)
    relevant = {key: target for key, target in found.items() if key in truth}
    precision = correct / len(relevant) if relevant else 0.0
    recall = correct / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, len(truth), len(relevant), correct)


def ground_truth_links(truth_dir: Path) -> dict[tuple[str, int], int]:
    """(item kind, item id) → true KvK establishment, from ground-truth.json and record-truth.csv."""
    summary = truth_dir / "ground-truth.json"
    records = truth_dir / "record-truth.csv"
    if not summary.is_file() or not records.is_file():
        raise ValidationError(f"Geen grondwaarheid in {truth_dir}; verwacht ground-truth.json en record-truth.csv.")
    data = json.loads(summary.read_text(encoding="utf-8"))
    truth: dict[tuple[str, int], int] = {
        ("vestiging", int(dup)): int(canonical) for dup, canonical in data["duplicate_establishments"].items()
    }
    with records.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            record_id, establishment_id = line.strip().split(",")
            truth[("record", int(record_id))] = int(establishment_id)
    return truth


def evaluate(engine: Engine, truth_dir: Path) -> Score:
    """Score the stored accepted links against the ground truth (links in the review queue count as missing)."""
    truth = ground_truth_links(truth_dir)
    with Session(engine) as session:
        found = {
            (kind, item): est
            for kind, item, est in session.execute(
                select(ResolveLink.item_kind, ResolveLink.item_id, ResolveLink.establishment_id).where(
                    ResolveLink.status.in_(ACCEPTED)
                )
            )
        }
    return _score(found, truth)

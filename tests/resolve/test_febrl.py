"""The resolver on the FEBRL4 benchmark (5,000 × 5,000 person records, known true pairs)."""

from __future__ import annotations

import pytest

from plein.resolve.febrl import evaluate, run_febrl
from plein.resolve.splink_model import ScoredPair, best_one_to_one


@pytest.mark.slow
def test_febrl4_f1_at_least_099() -> None:
    result = run_febrl()
    assert result.f1 >= 0.99, result
    assert result.precision >= 0.99 and result.recall >= 0.99


def test_one_to_one_takes_each_side_once_strongest_first() -> None:
    pairs = [
        ScoredPair("a", "x", 10.0, 0.99),
        ScoredPair("a", "y", 9.0, 0.98),
        ScoredPair("b", "x", 9.5, 0.98),
        ScoredPair("b", "y", 1.0, 0.6),
        ScoredPair("c", "z", -1.0, 0.3),
    ]
    chosen = {(p.left_id, p.right_id) for p in best_one_to_one(pairs, threshold_weight=0.0)}
    assert chosen == {("a", "x"), ("b", "y")}


def test_evaluate_counts_pairs() -> None:
    result = evaluate({("a", "x"), ("b", "z")}, {("a", "x"), ("b", "y")}, 1.0)
    assert (result.precision, result.recall, result.f1) == (0.5, 0.5, 0.5)

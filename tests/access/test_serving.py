"""Serving many users at once: no 500 because another request holds a lock, every refusal audited once.

A live server (uvicorn in a thread) on both databases; many logged-in browsers whose sessions were
last seen minutes ago (so their first request renews the idle timer) send reads and refusals at the
same time: refusals by the gate, refusals raised outside it, and reads that succeed.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from plein.audit.keys import audit_keys
from plein.audit.models import AuditEntry
from plein.audit.query import verify_log
from plein.auth.models import UserAccount, WebSession
from plein.auth.sessions import COOKIE, start_session
from plein.core.models import utcnow
from plein.settings import Settings
from plein.web.app import create_app
from tests.access.live import live_server
from tests.access.world import World, build_world

BROWSERS = 24
ROUNDS = 3


@pytest.fixture
def world(engine: Engine) -> World:
    with Session(engine, expire_on_commit=False) as session:
        built = build_world(session)
        session.commit()
    return built


def _stale_sessions(engine: Engine, usernames: list[str]) -> list[tuple[str, str, int]]:
    """(username, cookie value, session id), each last seen five minutes ago."""
    made = []
    with Session(engine) as session, session.begin():
        for name in usernames:
            user = session.scalars(select(UserAccount).where(UserAccount.username == name)).one()
            value, row = start_session(session, user, now=utcnow() - dt.timedelta(minutes=5))
            made.append((name, value, row.id))
    return made


def _traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def test_concurrent_requests_never_fail_and_every_refusal_is_audited_once(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    settings = Settings(var_dir=tmp_path / "var", db_pool_size=3, db_max_overflow=1)
    app = create_app(engine, settings)
    users = ["a.analist", "b.analist", "a.beheer", "ilt.analist"] * (BROWSERS // 4)
    sessions = _stale_sessions(engine, users)
    results: list[tuple[str, int, str]] = []  # (trace id, status, what)
    lock = threading.Lock()
    requests = (
        ("/v1/registraties?doel=beheer", "gate"),  # a purpose the role does not have: the gate refuses
        ("/v1/bronnen/BESTAAT-NIET", "buiten-gate"),  # beheerder: unknown source, NotVisible outside the gate
        ("/v1/registraties", "lezen"),
        (f"/v1/registraties/{world.records['POL-geheim']}", "gate"),  # invisible record: 404 by the gate
    )

    held = {"now": 0, "most": 0}

    def checkout(*_args: object) -> None:
        with lock:
            held["now"] += 1
            held["most"] = max(held["most"], held["now"])

    def checkin(*_args: object) -> None:
        with lock:
            held["now"] -= 1

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    with live_server(app) as base:

        def browse(cookie: str) -> None:
            with httpx.Client(base_url=base, cookies={COOKIE: cookie}, timeout=60) as client:
                for _ in range(ROUNDS):
                    for path, what in requests:
                        trace_id, header = _traceparent()
                        response = client.get(path, headers={"traceparent": header})
                        with lock:
                            results.append((trace_id, response.status_code, what))

        threads = [threading.Thread(target=browse, args=(value,)) for _name, value, _id in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

    event.remove(engine, "checkout", checkout)
    event.remove(engine, "checkin", checkin)
    assert len(results) == BROWSERS * ROUNDS * len(requests)
    # one pooled connection per request: never more in use than requests admitted at once
    assert 0 < held["most"] <= settings.request_slots(), held
    statuses = Counter(status for _trace, status, _what in results)
    assert set(statuses) <= {200, 403, 404}, statuses  # no 500, no 401 (no session lost its renewal)
    refused = [(trace, status, what) for trace, status, what in results if status in (403, 404)]
    assert any(what == "buiten-gate" and status == 404 for _t, status, what in refused)
    with Session(engine) as session:
        entries = Counter(
            session.scalars(
                select(AuditEntry.trace_id).where(
                    AuditEntry.status == "geweigerd", AuditEntry.trace_id.in_([t for t, _s, _w in refused])
                )
            )
        )
        unlogged = [r for r in refused if entries[r[0]] != 1]
        assert not unlogged, f"{len(unlogged)} of {len(refused)} refusals not audited exactly once: {unlogged[:5]}"
        ok_traces = [t for t, status, _w in results if status == 200]
        assert not session.scalars(
            select(AuditEntry.trace_id).where(AuditEntry.status == "geweigerd", AuditEntry.trace_id.in_(ok_traces))
        ).all()
        seen = session.scalars(select(WebSession.last_seen_at).where(WebSession.id.in_([s[2] for s in sessions])))
        stale = utcnow() - dt.timedelta(minutes=4)
        assert all((s if s.tzinfo else s.replace(tzinfo=dt.UTC)) > stale for s in seen)  # every idle timer renewed
    assert verify_log(engine, audit_keys(settings)).intact


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_plein_serve_runs_several_workers_that_share_the_database(
    engine: Engine, world: World, database_url: str, tmp_path: Path
) -> None:
    """``plein serve --workers 2``: two processes, each with its own engine; no request fails."""
    import os
    import subprocess
    import sys
    import time

    port = _free_port()
    env = {
        **os.environ,
        "PLEIN_DATABASE_URL": database_url,
        "PLEIN_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(Path(__file__).parents[2] / "src"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "plein", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/inloggen", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "plein serve did not start"
            time.sleep(0.3)
        sessions = _stale_sessions(engine, ["a.analist", "b.analist", "ilt.analist", "pol.analist"] * 2)
        statuses: list[int] = []
        lock = threading.Lock()

        def browse(cookie: str) -> None:
            with httpx.Client(base_url=base, cookies={COOKIE: cookie}, timeout=60) as client:
                for _ in range(5):
                    for path in ("/v1/registraties", "/v1/registraties?doel=beheer"):
                        code = client.get(path).status_code
                        with lock:
                            statuses.append(code)

        threads = [threading.Thread(target=browse, args=(value,)) for _n, value, _id in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert Counter(statuses) == Counter({200: 40, 403: 40})
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "met 2 processen" in output
    pids = {line.split("[")[1].split("]")[0] for line in output.splitlines() if "Started server process [" in line}
    assert len(pids) == 2, output  # two worker processes served


def test_refusals_raised_outside_the_gate_are_audited_once(engine: Engine, world: World, tmp_path: Path) -> None:
    """An unknown review link, web offer or source is refused by the route itself, not the gate: logged once."""
    from fastapi.testclient import TestClient

    from tests.access.clients import authorise_client

    settings = Settings(var_dir=tmp_path / "var")
    refusals: list[tuple[str, int]] = []
    with TestClient(create_app(engine, settings)) as client:
        for username, method, path, body in (
            ("a.analist", "post", "/v1/resolutie/koppelingen/987654/beoordeling", {"beslissing": "ja"}),
            ("a.analist", "get", "/v1/internettoezicht/aanbod/987654", None),
            ("a.beheer", "get", "/v1/bronnen/BESTAAT-NIET", None),
        ):
            authorise_client(client, engine, username)
            trace_id, header = _traceparent()
            response = client.request(method, path, json=body, headers={"traceparent": header})
            assert response.status_code == 404, (path, response.text)
            refusals.append((trace_id, response.status_code))
    with Session(engine) as session:
        for trace_id, _status in refusals:
            rows = session.scalars(select(AuditEntry).where(AuditEntry.trace_id == trace_id)).all()
            assert [(r.status, r.rule) for r in rows] == [("geweigerd", "need-to-know")], [
                (r.name, r.details) for r in rows
            ]


def test_the_number_of_workers(tmp_path: Path) -> None:
    import os

    from plein.cli.serve import MAX_AUTO_WORKERS, worker_count
    from plein.store.engine import create_engine_for

    on_file = create_engine_for(f"sqlite:///{tmp_path / 'w.db'}")
    in_memory = create_engine_for("sqlite://")
    assert worker_count(Settings(), on_file) == max(1, min(MAX_AUTO_WORKERS, os.cpu_count() or 1))
    assert worker_count(Settings(workers=3), on_file) == 3 and worker_count(Settings(), on_file, 5) == 5
    assert worker_count(Settings(workers=3), in_memory) == 1  # one process owns an in-memory database
    on_file.dispose()
    in_memory.dispose()

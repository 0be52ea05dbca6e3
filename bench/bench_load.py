"""An office at once: many logged-in clients against ``plein serve``, every response found in the audit log.

Per backend (SQLite, PostgreSQL): a fresh database with the small demo world (``plein init`` and
``plein demo seed``), then ``plein serve`` as a real process on a free loopback port. Each client
logs in through the login form (a session cookie for the pages) and has an API token (for /v1), and
for the run's duration repeats a mix: search-as-you-type, searches, dossiers (page and API), bulk
search, CSV exports, record lists, refusals (a collaboration it is no member of: 403) and a few
writes (sharing an own record). Every request carries a W3C ``traceparent``. Reported: requests/s,
p50/p95/p99 and errors (a 5xx, a refused connection, a timeout or any status the request should not
get), then, after the server stopped, ``plein audit verify`` and the share of 2xx/403 responses
whose trace id has an audit entry (must be all). Baselines in the same run and under the same load:
a static file from the same server, and the same mix against the same app with the gate and the
audit bypassed (benchmark only, as in bench_gate).

Environment: ``PLEIN_BENCH_LOAD_SECONDS`` (300), ``PLEIN_BENCH_LOAD_CLIENTS`` (50),
``PLEIN_BENCH_LOAD_BASELINE_SECONDS`` (60), ``PLEIN_BENCH_LOAD_BACKENDS`` (sqlite,postgresql).
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tests.databases import fresh_database

from bench.bench_gate import _free_port, served, wait_ready
from plein.audit.models import AuditEntry
from plein.auth.demo import demo_password
from plein.auth.models import UserAccount
from plein.auth.tokens import issue_token
from plein.core.models import Address, Establishment, LegalEntity, Record
from plein.policy.models import Collaboration, CollaborationMember
from plein.store.engine import create_engine_for

Report = Callable[..., None]
SECRET = "bench-load-secret-key-0123456789abcdef"
SEED = 5
TIMEOUT = 60.0
USERS = (
    "od-nzkg.analist",
    "od-nzkg.inspecteur",
    "od-nzkg.casusregisseur",
    "dcmr.analist",
    "dcmr.inspecteur",
    "ilt.analist",
    "ilt.inspecteur",
    "politie.analist",
    "om-fp.analist",
    "od-nzkg-boa.inspecteur",
)
UNAUDITED = frozenset({"inlogformulier"})  # the empty login form reads no data: no audit entry
CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@dataclasses.dataclass(slots=True)
class Account:
    """One demo account as a client uses it."""

    username: str
    password: str
    token: str
    foreign_collaboration: int | None  # a collaboration it is no member of: asking for it is refused
    share_into: int | None  # a collaboration it may share own records into
    own_records: list[int]


@dataclasses.dataclass(slots=True)
class World:
    """What the clients ask for, picked from the seeded world."""

    accounts: list[Account]
    names: list[str]
    kvks: list[str]
    cities: list[str]
    establishments: list[int]


@dataclasses.dataclass(slots=True)
class Outcome:
    kind: str
    status: int  # 0: no response (connection refused or reset, timeout)
    ms: float
    trace_id: str
    expected: bool
    detail: str = ""  # the start of the body of a response the request should not get


def _plein(env: dict[str, str], *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plein", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _world(engine: Engine) -> World:
    rng = random.Random(SEED)
    with Session(engine) as session, session.begin():
        names = [n for n in session.scalars(select(Establishment.name).limit(2000)) if len(n) >= 4]
        kvks = [
            k for k in session.scalars(select(LegalEntity.kvk).where(LegalEntity.kvk.is_not(None)).limit(2000)) if k
        ]
        cities = sorted(set(session.scalars(select(Address.city).limit(5000))))
        establishments = [
            e
            for e in session.scalars(
                select(Record.establishment_id).where(Record.establishment_id.is_not(None)).limit(5000)
            )
            if e is not None
        ]
        collaborations = list(session.scalars(select(Collaboration.id)))
        accounts = []
        for username in USERS:
            user = session.scalars(select(UserAccount).where(UserAccount.username == username)).first()
            if user is None:
                continue
            member_of = set(
                session.scalars(
                    select(CollaborationMember.collaboration_id).where(CollaborationMember.user_id == user.id)
                )
            )
            foreign = next((c for c in collaborations if c not in member_of), None)
            share_into = min(member_of, default=None)
            own_query = select(Record.id).where(Record.source_organisation_id == user.organisation_id)
            collaboration = session.get(Collaboration, share_into) if share_into else None
            theme = collaboration.theme_code if collaboration else None
            if theme:
                own_query = own_query.where(Record.theme_code == theme)
            own = list(session.scalars(own_query.limit(50)))
            token, _row = issue_token(session, user, "belastingtest")
            accounts.append(Account(username, demo_password(username, SEED), token, foreign, share_into, own))
    rng.shuffle(names)
    return World(accounts, names[:300], kvks[:1000], cities[:40], sorted(set(establishments))[:500])


def _traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


class Client:
    """One logged-in user repeating the office mix until the deadline."""

    def __init__(self, base: str, world: World, account: Account, rng: random.Random, bypassed: bool) -> None:
        self.world, self.account, self.rng, self.bypassed = world, account, rng, bypassed
        self.http = httpx.Client(base_url=base, timeout=TIMEOUT, follow_redirects=False)
        self.api = {"Authorization": f"Bearer {account.token}"}
        self.outcomes: list[Outcome] = []

    def call(
        self, kind: str, method: str, path: str, *, expect: tuple[int, ...] = (200,), api: bool = True, **kw: Any
    ) -> httpx.Response | None:
        trace_id, header = _traceparent()
        headers = {"traceparent": header} | (self.api if api else {}) | kw.pop("headers", {})
        start = time.perf_counter()
        try:
            response = self.http.request(method, path, headers=headers, **kw)
        except httpx.HTTPError:
            self.outcomes.append(Outcome(kind, 0, (time.perf_counter() - start) * 1000, trace_id, False))
            return None
        ms = (time.perf_counter() - start) * 1000
        # Without the gate, what would be refused is served.
        ok = response.status_code in expect or (self.bypassed and response.status_code in (200, 201, 403))
        detail = "" if ok else response.text[:160]
        self.outcomes.append(Outcome(kind, response.status_code, ms, trace_id, ok, detail))
        return response

    def login(self) -> bool:
        form = self.call("inlogformulier", "GET", "/inloggen", api=False)
        found = CSRF_INPUT.search(form.text) if form is not None else None
        if found is None:
            return False
        data = {
            "gebruikersnaam": self.account.username,
            "wachtwoord": self.account.password,
            "csrf_token": found.group(1),
        }
        done = self.call("inloggen", "POST", "/inloggen", api=False, data=data, expect=(303,))
        return done is not None and done.status_code == 303

    def step(self) -> None:
        w, r = self.world, self.rng
        name = r.choice(w.names)
        words = name.split()
        typed = words[0]
        for end in range(3, min(len(typed), 7) + 1):  # search-as-you-type: the fragment per key stroke
            self.call("zoeken-typen", "GET", "/zoeken/resultaten", api=False, params={"q": typed[:end]})
        self.call("zoeken", "GET", "/v1/subjecten/_zoek", params={"q": " ".join(words[:2])})
        self.call("zoekpagina", "GET", "/zoeken", api=False, params={"q": r.choice(w.kvks)})
        establishment = r.choice(w.establishments)
        self.call("dossier", "GET", f"/v1/subjecten/{establishment}/dossier", expect=(200, 404))
        self.call("dossierpagina", "GET", f"/dossier/{r.choice(w.establishments)}", api=False, expect=(200, 404))
        self.call("registraties", "GET", "/v1/registraties", params={"paginaGrootte": 20})
        roll = r.random()
        if roll < 0.5:
            body = {"kvkNummers": r.sample(w.kvks, 25)}
            self.call("bulkzoeken", "POST", "/v1/registraties/_zoek", json=body)
        else:
            self.call("bulkzoeken", "POST", "/v1/registraties/_zoek", json={"plaats": r.choice(w.cities)})
        if r.random() < 0.3:
            body = {"kvkNummers": r.sample(w.kvks, 25)}
            self.call("export", "POST", "/v1/registraties/_zoek/export", params={"formaat": "csv"}, json=body)
        if self.account.foreign_collaboration is not None and r.random() < 0.5:
            params = {"doel": f"samenwerking:{self.account.foreign_collaboration}"}
            self.call("weigering", "GET", "/v1/registraties", params=params, expect=(403,))
        if self.account.share_into is not None and self.account.own_records and r.random() < 0.1:
            path = f"/v1/samenwerkingen/{self.account.share_into}/gedeelde-registraties"
            record = {"registratie": r.choice(self.account.own_records)}
            self.call("schrijven", "POST", path, json=record, expect=(201,))


def _load(
    base: str, world: World, clients: int, seconds: float, *, bypassed: bool = False
) -> tuple[list[Outcome], float]:
    """Run ``clients`` threads for ``seconds``; all outcomes and the wall time."""
    deadline = time.monotonic() + seconds
    all_outcomes: list[Outcome] = []
    lock = threading.Lock()

    def work(number: int) -> None:
        client = Client(base, world, world.accounts[number % len(world.accounts)], random.Random(number), bypassed)
        try:
            if client.login():
                while time.monotonic() < deadline:
                    client.step()
        finally:
            client.http.close()
            with lock:
                all_outcomes.extend(client.outcomes)

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 5 * TIMEOUT)
    return all_outcomes, time.monotonic() - started


def _static_load(base: str, clients: int, seconds: float) -> tuple[list[Outcome], float]:
    """The trivial baseline: the same number of clients fetching one static file."""
    deadline = time.monotonic() + seconds
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def work() -> None:
        mine: list[Outcome] = []
        with httpx.Client(base_url=base, timeout=TIMEOUT) as http:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    status = http.get("/static/plein/plein.css").status_code
                except httpx.HTTPError:
                    status = 0
                mine.append(Outcome("statisch", status, (time.perf_counter() - start) * 1000, "", status == 200))
        with lock:
            outcomes.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 5 * TIMEOUT)
    return outcomes, time.monotonic() - started


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclasses.dataclass(slots=True)
class Figures:
    requests: int
    per_second: float
    p50: float
    p95: float
    p99: float
    errors: int
    statuses: dict[int, int]

    @classmethod
    def of(cls, outcomes: list[Outcome], seconds: float) -> Figures:
        ms = [o.ms for o in outcomes]
        return cls(
            len(outcomes),
            len(outcomes) / seconds if seconds else 0.0,
            _percentile(ms, 50),
            _percentile(ms, 95),
            _percentile(ms, 99),
            sum(1 for o in outcomes if not o.expected),
            dict(Counter(o.status for o in outcomes)),
        )


@contextmanager
def _plein_serve(env: dict[str, str], log: Path) -> Iterator[str]:
    """``plein serve`` as its own process on a free loopback port; stopped with SIGINT (a clean shutdown)."""
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "plein", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, lambda: process.poll() is None)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _matched(engine: Engine, outcomes: list[Outcome]) -> tuple[int, int, Counter[str]]:
    """(responses that must have an entry, those without one, kinds of the missing)."""
    wanted = [
        o for o in outcomes if o.trace_id and o.kind not in UNAUDITED and (200 <= o.status < 300 or o.status == 403)
    ]
    logged: set[str] = set()
    with engine.connect() as connection:
        for row in connection.execute(select(AuditEntry.trace_id)):
            logged.add(row.trace_id)
    missing = [o for o in wanted if o.trace_id not in logged]
    return len(wanted), len(missing), Counter(o.kind for o in missing)


def _print(label: str, figures: Figures) -> None:
    print(
        f"  {label}: {figures.requests} verzoeken, {figures.per_second:.1f}/s, p50 {figures.p50:.0f} ms, "
        f"p95 {figures.p95:.0f} ms, p99 {figures.p99:.0f} ms, fouten {figures.errors}, statussen {figures.statuses}",
        flush=True,
    )


PLEIN_FRAME = re.compile(r'File "[^"]*/plein/([^"]+)", line (\d+), in (\w+)')


def _server_errors(log: Path, backend: str) -> None:
    """Keep the server log in var/bench/ and say where its tracebacks end in plein's code, and why."""
    text = log.read_text(encoding="utf-8", errors="replace")
    kept = Path("var/bench") / f"load-serve-{backend}.log"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(text, encoding="utf-8")
    places: Counter[str] = Counter()
    for block in text.split("Traceback (most recent call last):")[1:]:
        frames = PLEIN_FRAME.findall(block)
        lines = [line for line in block.splitlines() if line and not line.startswith(" ")]
        reason = lines[0][:100] if lines else "?"
        where = f"{frames[-1][0]}:{frames[-1][1]} {frames[-1][2]}" if frames else "buiten plein"
        places[f"{where}: {reason}"] += 1
    if places:
        print(f"  serverfouten ({kept}):", flush=True)
        for place, count in places.most_common(6):
            print(f"    {count}× {place}", flush=True)


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """Run with ``env``'s PLEIN_ settings (a spawned server process inherits them)."""
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("PLEIN_")})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _print_failures(label: str, outcomes: list[Outcome]) -> None:
    failing = [o for o in outcomes if not o.expected]
    if failing:
        print(f"    {label}: {dict(Counter(f'{o.kind} {o.status}' for o in failing))}", flush=True)
        for detail in sorted({o.detail for o in failing})[:3]:
            print(f"      {detail!r}", flush=True)


def _one_backend(report: Report, backend: str, clients: int, seconds: float, baseline_seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
        var = Path(tmp) / "var"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLEIN_")}
        env |= {"PLEIN_DATABASE_URL": url, "PLEIN_VAR_DIR": str(var), "PLEIN_SECRET_KEY": SECRET}
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[1] / "src"), env.get("PYTHONPATH", "")])
        for args in (("init",), ("demo", "seed", "--size", "small", "--seed", str(SEED))):
            done = _plein(env, *args)
            if done.returncode != 0:
                raise RuntimeError(f"plein {' '.join(args)} faalde: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        engine = create_engine_for(url)
        world = _world(engine)
        with _plein_serve(env, Path(tmp) / "serve.log") as base:
            outcomes, wall = _load(base, world, clients, seconds)
            static, static_wall = _static_load(base, clients, baseline_seconds)
        figures, static_figures = Figures.of(outcomes, wall), Figures.of(static, static_wall)
        _print(f"plein serve, {backend}", figures)
        _print(f"statisch bestand, {backend}", static_figures)
        by_kind: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            by_kind.setdefault(outcome.kind, []).append(outcome)
        for kind, items in sorted(by_kind.items()):
            _print(f"    {kind}", Figures.of(items, wall))
        _print_failures("fouten", outcomes)
        _server_errors(Path(tmp) / "serve.log", backend)
        verified = _plein(env, "audit", "verify")
        print(f"  plein audit verify (exit {verified.returncode}): {' '.join(verified.stdout.split())}", flush=True)
        wanted, missing, missing_kinds = _matched(engine, outcomes)
        with engine.connect() as connection:
            entries = connection.scalar(select(func.count()).select_from(AuditEntry))
        print(
            f"  {wanted - missing} van {wanted} antwoorden (2xx/403) met hun auditregel; {entries} regels", flush=True
        )
        if missing:
            print(f"  zonder auditregel: {dict(missing_kinds)}", flush=True)
        with _environment(env), served(url, str(var), bypassed=True) as bypassed_base:
            bypass, bypass_wall = _load(bypassed_base, world, clients, baseline_seconds, bypassed=True)
        bypass_figures = Figures.of(bypass, bypass_wall)
        _print(f"zelfde mix zonder gate en audit, {backend}", bypass_figures)
        _print_failures("fouten zonder gate", bypass)
        engine.dispose()
    label = f"{clients} clients, {seconds:.0f} s, {backend}"
    report(f"verzoeken/s, {label}", figures.per_second, "verzoeken/s", bypass_figures.per_second, "zonder gate+audit")
    report(f"p50, {label}", figures.p50, "ms", bypass_figures.p50, "zonder gate+audit")
    report(f"p95, {label}", figures.p95, "ms", bypass_figures.p95, "zonder gate+audit (doel p95 ≤ 1000 ms)")
    report(f"p99, {label}", figures.p99, "ms", bypass_figures.p99, "zonder gate+audit")
    report(f"fouten, {label}", figures.errors, "verzoeken", None, f"doel 0, van {figures.requests}")
    report(f"p95 statisch bestand, {label}", static_figures.p95, "ms", None, f"{static_figures.per_second:.0f}/s")
    report(f"audit verify, {backend}", float(verified.returncode), "exitcode", None, "0 = intact")
    report(f"antwoorden zonder auditregel, {backend}", missing, "antwoorden", None, f"van {wanted}; doel 0")


def run(report: Report) -> None:
    clients = int(os.environ.get("PLEIN_BENCH_LOAD_CLIENTS", "50"))
    seconds = float(os.environ.get("PLEIN_BENCH_LOAD_SECONDS", "300"))
    baseline_seconds = float(os.environ.get("PLEIN_BENCH_LOAD_BASELINE_SECONDS", "60"))
    backends = [
        b.strip() for b in os.environ.get("PLEIN_BENCH_LOAD_BACKENDS", "sqlite,postgresql").split(",") if b.strip()
    ]
    for backend in backends:
        _one_backend(report, backend, clients, seconds, baseline_seconds)

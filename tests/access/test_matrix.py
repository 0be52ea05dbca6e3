"""The authorization matrix: every route of the app × role × own / other / shared / unshared / expired data.

Expectations come from an oracle written independently of the gate (plain Python over the demo
world's rows, from the rules in the issue). A leak is any difference in status, body, count or facet
that reveals refused data: refused records must answer exactly like records that do not exist.
The route list is read from the app's routes: each declares its kind of access in its signature
(``plein.web.requires.Requires``), and a route that declares nothing, or two kinds, fails the matrix.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from plein.audit.models import AuditEntry
from plein.auth.demo import demo_password
from plein.auth.models import UserAccount
from plein.core.models import Organisation, Record
from plein.core.vocabulary import Confidentiality
from plein.errors import ConfigurationError
from plein.ingest.models import IngestRun, IngestSource, QuarantinedRow, QuarantineStatus
from plein.policy.models import (
    Collaboration,
    CollaborationMember,
    CollaborationParticipant,
    LegalBasis,
    SharedRecord,
)
from plein.settings import Settings
from plein.web.access import AuthDep
from plein.web.app import create_app
from plein.web.requires import Requires
from plein.web.route_policy import Access, RoutePolicy, declarations, route_table
from tests.databases import BACKENDS, fresh_database

SEED = 7  # the seed of tests/conftest.py's seeded_engine
CASE_USERS = (
    "od-nzkg.analist",
    "od-nzkg.inspecteur",
    "od-nzkg-boa.inspecteur",
    "dcmr.analist",
    "ilt.analist",
    "politie.analist",
    "riec-aa.casusregisseur",
)
OTHER_USERS = ("od-nzkg.beleidsmedewerker", "od-nzkg.beheerder", "od-nzkg.privacy-officer")
MISSING = 10**12
STATUTORY_KINDS = {
    "gemeente",
    "provincie",
    "politie",
    "openbaar-ministerie",
    "belastingdienst",
    "douane",
    "riec",
    "liec",
}
STATUTORY_CODES = {"NVWA", "NVWA-IOD", "NLA", "NLA-DO"}  # the demo's statutory bodies among the inspectorates


@dataclass
class Oracle:
    """The demo world's access facts, and what each user may see under each purpose."""

    users: dict[str, UserAccount]
    party: dict[int, str | None]
    org_code: dict[int, str]
    bases: set[tuple[str, str]]
    collabs: dict[str, Collaboration]
    participants: dict[int, set[int]]
    exchanging: dict[int, set[int]]  # participants that exchange data (only statutory ones under the Wgs)
    members: dict[int, set[int]]
    shared: dict[int, set[int]]
    records: dict[int, tuple[int, str, str]]  # id -> (source org, confidentiality, theme)
    today: dt.date = field(default_factory=dt.date.today)

    def purpose_refusal(self, username: str, purpose: str) -> str | None:
        """None if the purpose fits, else the rule that refuses it."""
        user = self.users[username]
        if purpose == "toezicht":
            return None
        collab = self.collabs[purpose]
        if user.id not in self.members[collab.id] or user.organisation_id not in self.participants[collab.id]:
            return "need-to-know"
        if not collab.starts_on <= self.today <= collab.ends_on:
            return "periode"
        return None

    def visible(self, username: str, purpose: str) -> set[int]:
        user = self.users[username]
        rank = Confidentiality(user.clearance).rank
        within = {rid for rid, (_src, level, _t) in self.records.items() if Confidentiality(level).rank <= rank}
        if purpose == "toezicht":
            return {rid for rid in within if self.records[rid][0] == user.organisation_id}
        collab = self.collabs[purpose]
        own_party = self.party[user.organisation_id]
        exchanging = self.exchanging[collab.id]
        allowed: set[int] = set()
        if user.organisation_id not in exchanging:  # taking part without exchange: nothing in, nothing out
            return allowed
        for rid in self.shared[collab.id] & within:
            source = self.records[rid][0]
            if source == user.organisation_id or (
                source in exchanging
                and (collab.kind == "handhavingsknelpunt" or (self.party[source], own_party) in self.bases)
            ):
                allowed.add(rid)
        return allowed

    def purpose_value(self, purpose: str) -> str:
        return purpose if purpose == "toezicht" else f"samenwerking:{self.collabs[purpose].id}"


PURPOSES = ("toezicht", "TAFEL-AFVAL-NZKG", "KNELPUNT-AFVAL-AA", "TAFEL-FGAS-2023")


def load_oracle(engine: Engine) -> Oracle:
    with Session(engine) as session:
        orgs = list(session.scalars(select(Organisation)))
        collabs = {c.code: c for c in session.scalars(select(Collaboration))}
        participants: dict[int, set[int]] = {c.id: set() for c in collabs.values()}
        exchanging: dict[int, set[int]] = {c.id: set() for c in collabs.values()}
        kinds = {c.id: c.kind for c in collabs.values()}
        for p in session.scalars(select(CollaborationParticipant)):
            participants[p.collaboration_id].add(p.organisation_id)
            # The brochure's statutory participants, written out here apart from the policy's own list.
            statutory = p.organisation.kind in STATUTORY_KINDS or p.organisation.code in STATUTORY_CODES
            if p.participation == "uitwisseling" and (kinds[p.collaboration_id] != "handhavingsknelpunt" or statutory):
                exchanging[p.collaboration_id].add(p.organisation_id)
        members: dict[int, set[int]] = {c.id: set() for c in collabs.values()}
        for m in session.scalars(select(CollaborationMember)):
            members[m.collaboration_id].add(m.user_id)
        shared: dict[int, set[int]] = {c.id: set() for c in collabs.values()}
        for s in session.scalars(select(SharedRecord)):
            shared[s.collaboration_id].add(s.record_id)
        records = {
            rid: (src, level, theme)
            for rid, src, level, theme in session.execute(
                select(Record.id, Record.source_organisation_id, Record.confidentiality, Record.theme_code)
            )
        }
        users = {u.username: u for u in session.scalars(select(UserAccount))}
        for user in users.values():
            session.expunge(user)
        for collab in collabs.values():
            session.expunge(collab)
        # A cell is in force when active and either certain or validated by a beheerder.
        bases = {
            (b.from_party, b.to_party)
            for b in session.scalars(select(LegalBasis))
            if b.active and (not b.uncertain or b.validated_at is not None)
        }
    return Oracle(
        users,
        {o.id: o.matrix_party for o in orgs},
        {o.id: o.code for o in orgs},
        bases,
        collabs,
        participants,
        exchanging,
        members,
        shared,
        records,
    )


def probe_records(oracle: Oracle) -> dict[str, int]:
    """Named record ids covering own / other / shared / unshared / expired / above clearance."""
    by_code = {code: oid for oid, code in oracle.org_code.items()}
    shared_any = set().union(*oracle.shared.values())
    wanted = {  # one probe per kind of data: own, other, shared, shared without basis, expired, clearance
        "OD-NZKG": ("niet-gedeeld", "vertrouwelijk", "KNELPUNT-AFVAL-AA"),
        "NLA": ("KNELPUNT-AFVAL-AA",),  # a statutory Wgs participant's share
        "OD-NZKG-BOA": ("geheim",),
        "DCMR": ("niet-gedeeld", "TAFEL-AFVAL-NZKG", "TAFEL-FGAS-2023"),
        "ILT": ("TAFEL-AFVAL-NZKG",),
        "POLITIE": ("TAFEL-AFVAL-NZKG",),
    }
    probes: dict[str, int] = {}
    for code, cases in wanted.items():
        mine = {rid for rid, (src, _l, _t) in oracle.records.items() if src == by_code[code]}
        for case in cases:
            if case == "niet-gedeeld":
                ids = mine - shared_any
            elif case in ("vertrouwelijk", "geheim"):
                ids = {rid for rid in mine if oracle.records[rid][1] == case}
            else:
                ids = mine & oracle.shared[oracle.collabs[case].id]
            if ids:
                probes[f"{code}:{case}"] = min(ids)
    return probes


@dataclass
class Env:
    oracle: Oracle
    clients: dict[str, TestClient]
    anonymous: TestClient
    probes: dict[str, int]


@pytest.fixture(scope="module")
def env(seeded_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    app = create_app(seeded_engine, Settings(var_dir=Path(tmp_path_factory.mktemp("matrix-var"))))
    oracle = load_oracle(seeded_engine)
    clients: dict[str, TestClient] = {}
    for username in CASE_USERS + OTHER_USERS:
        clients[username] = _login(app, username)[0]
    yield Env(oracle, clients, TestClient(app, base_url="https://testserver"), probe_records(oracle))


@lru_cache(maxsize=1)
def _app() -> FastAPI:
    return create_app(create_engine("sqlite://"), Settings())  # routes only; no request is made


def _route_table(app: FastAPI) -> list[tuple[str, str]]:
    table = []
    for ctx in iter_route_contexts(app.routes):
        for method in sorted(getattr(ctx, "methods", None) or ()):
            if method != "HEAD":
                table.append((method, ctx.path))
    return table


def _check_declared(app: FastAPI) -> dict[tuple[str, str], RoutePolicy]:
    """Every route of ``app`` declares exactly one kind of access; its policies, read from the routes."""
    found = declarations(app.routes)
    assert set(_route_table(app)) == set(found)
    wrong = {route: policies for route, policies in found.items() if len(policies) != 1}
    assert not wrong, f"declare these routes' access once, with Requires(...): {wrong}"
    return route_table(app.routes)


@lru_cache(maxsize=1)
def _routes() -> dict[tuple[str, str], RoutePolicy]:
    return _check_declared(_app())


def _fill(path: str, samples: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: samples.get(m.group(1), "1"), path)


def _same_modulo(a: str, b: str, x: object, y: object) -> bool:
    """Equal once the record id is blanked where it is echoed (the message and the request path)."""

    def blank(text: str, ident: object) -> str:
        for pattern in (f"Registratie {ident} ", f"registraties/{ident}", f"registratie {ident} "):
            text = text.replace(pattern, pattern.replace(str(ident), "N"))
        return text

    return blank(a, x) == blank(b, y)


def test_every_route_declares_its_access() -> None:
    routes = _check_declared(_app())
    assert len(routes) == len(_route_table(_app())) >= 70
    for access in Access:  # every kind of access is served and so reaches the matrix below
        assert any(policy.access == access for policy in routes.values()), access


def test_a_route_that_declares_nothing_fails_the_matrix() -> None:
    with pytest.raises(AssertionError, match="/docs"):  # FastAPI's own documentation routes declare nothing
        _check_declared(FastAPI())
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/verklaard", dependencies=[Requires(Access.ACCOUNT)])
    def declared() -> None:
        return None

    _check_declared(app)  # one declared route passes

    @app.get("/vergeten")
    def forgotten(auth: AuthDep) -> None:  # logged in, but no kind of access declared
        return None

    router = APIRouter(prefix="/v1", dependencies=[Requires(Access.ACCOUNT)])

    @router.get("/dubbel")
    def twice(_: Annotated[object, Requires(Access.ADMIN)]) -> None:  # the router says one kind, the route another
        return None

    app.include_router(router)
    found = declarations(app.routes)
    assert found[("GET", "/vergeten")] == []
    assert [p.access for p in found[("GET", "/v1/dubbel")]] == [Access.ACCOUNT, Access.ADMIN]
    with pytest.raises(AssertionError, match="/vergeten"):
        _check_declared(app)
    with pytest.raises(ConfigurationError, match=r"GET /v1/dubbel, GET /vergeten"):
        route_table(app.routes)


def test_anonymous_callers_get_nothing_but_the_public_routes(env: Env) -> None:
    for (method, path), policy in _routes().items():
        url = _fill(path, policy.samples)
        response = env.anonymous.request(method, url, follow_redirects=False)
        if policy.access == Access.PUBLIC:
            # The login form may refuse a bad post; single sign-on answers 404 when no provider is set.
            assert response.status_code in (200, 401, 403, 404), (method, path)
            continue
        if path.startswith("/v1"):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 303 and response.headers["location"].startswith("/inloggen"), (
                method,
                path,
                response.status_code,
            )


@pytest.mark.parametrize("username", CASE_USERS)
def test_record_detail_matrix(env: Env, username: str) -> None:
    client, oracle = env.clients[username], env.oracle
    detail_routes = [(m, p, pol) for (m, p), pol in _routes().items() if pol.record_param and m == "GET"]
    assert detail_routes
    for purpose in PURPOSES:
        refusal = oracle.purpose_refusal(username, purpose)
        visible = oracle.visible(username, purpose) if refusal is None else set()
        doel = oracle.purpose_value(purpose)
        for _method, path, policy in detail_routes:
            assert policy.record_param
            missing_url = path.replace("{" + policy.record_param + "}", str(MISSING))
            missing = client.get(missing_url, params={"doel": doel})
            probes = list(env.probes.items())
            for name, rid in probes if refusal is None else probes[:3]:  # a refused purpose ignores the id
                url = path.replace("{" + policy.record_param + "}", str(rid))
                response = client.get(url, params={"doel": doel})
                where = (username, purpose, name, path)
                if refusal is not None:
                    assert response.status_code == 403, where
                    assert _same_modulo(response.text, missing.text, rid, MISSING), where
                elif rid in visible:
                    assert response.status_code == 200, where
                    if path.startswith("/v1"):
                        assert response.json()["id"] == rid
                else:
                    assert response.status_code == 404, (*where, response.status_code)
                    assert _same_modulo(response.text, missing.text, rid, MISSING), where


@pytest.mark.parametrize("username", CASE_USERS)
def test_record_lists_counts_and_facets_match_the_oracle(env: Env, username: str) -> None:
    client, oracle = env.clients[username], env.oracle
    for purpose in PURPOSES:
        refusal = oracle.purpose_refusal(username, purpose)
        doel = oracle.purpose_value(purpose)
        api = client.get("/v1/registraties", params={"doel": doel, "paginaGrootte": 100})
        page = client.get("/registraties", params={"doel": doel})
        stats = client.get("/v1/statistieken/registraties", params={"doel": doel})
        where = (username, purpose)
        if refusal is not None:
            assert api.status_code == page.status_code == stats.status_code == 403, where
            assert api.json()["regel"] == refusal, where
            continue
        visible = oracle.visible(username, purpose)
        body = api.json()
        assert api.status_code == 200 and body["totaal"] == len(visible), (*where, body.get("totaal"), len(visible))
        assert {r["id"] for r in body["registraties"]} <= visible, where
        expected_facets = Counter(oracle.records[rid][2] for rid in visible)
        assert body["facetten"]["thema"] == dict(expected_facets), where
        cells = {c["groep"]: c["aantal"] for c in stats.json()["cellen"]}
        assert cells == dict(expected_facets), where
        shown = re.search(r'id="aantal-registraties">([\d.]+) registraties?', page.text)
        assert shown and int(shown.group(1).replace(".", "")) == len(visible), where


def test_beleidsmedewerker_sees_suppressed_aggregates_only(env: Env) -> None:
    username = "od-nzkg.beleidsmedewerker"
    client, oracle = env.clients[username], env.oracle
    user = oracle.users[username]
    rank = Confidentiality(user.clearance).rank
    own = [
        t
        for src, level, t in oracle.records.values()
        if src == user.organisation_id and Confidentiality(level).rank <= rank
    ]
    expected = {theme: (n if n >= 10 else None) for theme, n in Counter(own).items()}
    cells = {c["groep"]: c["aantal"] for c in client.get("/v1/statistieken/registraties").json()["cellen"]}
    assert cells == expected and None in cells.values()
    for name, rid in env.probes.items():
        for url in (f"/v1/registraties/{rid}", f"/registraties/{rid}"):
            response = client.get(url)
            assert response.status_code == 403 and "geaggregeerde" in response.text, (name, url)
    assert client.get("/v1/registraties").json()["regel"] == "alleen-aggregaten"


@pytest.mark.parametrize("username", CASE_USERS + OTHER_USERS)
def test_role_pages_and_posts(env: Env, username: str) -> None:
    client, oracle = env.clients[username], env.oracle
    role = oracle.users[username].role
    case_role = role in ("analist", "inspecteur", "casusregisseur")
    for (method, path), policy in _routes().items():
        url = _fill(path, policy.samples)
        where = (username, method, path)
        if method == "POST":
            if policy.access == Access.PUBLIC:
                continue
            # Without a CSRF token every state-changing route refuses, whatever the role.
            response = client.post(url, data={}, follow_redirects=False)
            assert response.status_code in (400, 403), (*where, response.status_code)
            continue
        response = client.get(url, params=policy.query, follow_redirects=False)
        if policy.access == Access.PUBLIC:
            assert response.status_code in (200, 404), where
        elif policy.access == Access.ACCOUNT:
            assert response.status_code == 200, where
        elif policy.access == Access.ADMIN:  # 404: the sample object does not exist, which only a beheerder learns
            assert response.status_code in ((200, 404) if role == "beheerder" else (403,)), where
        elif policy.access == Access.AUDIT:
            assert response.status_code in ((200, 404) if role == "privacy_officer" else (403,)), where
        elif policy.access == Access.AGGREGATE:
            allowed = case_role or role == "beleidsmedewerker" or path == "/"
            assert response.status_code == (200 if allowed else 403), where
        elif policy.access == Access.RECORDS:
            # 400: the route needs parameters the probe does not give (a search needs a query).
            assert response.status_code in ((200, 400, 404) if case_role else (400, 403)), where


def test_sharing_cannot_reach_other_records_or_expired_collaborations(env: Env) -> None:
    username = "od-nzkg.analist"
    client, oracle = env.clients[username], env.oracle
    account = client.get("/account").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', account)
    assert csrf
    headers = {"X-CSRF-Token": csrf.group(1)}
    tafel = oracle.collabs["TAFEL-AFVAL-NZKG"].id
    expired = oracle.collabs["TAFEL-FGAS-2023"].id
    other = env.probes["DCMR:niet-gedeeld"]
    idor = client.post(
        f"/v1/samenwerkingen/{tafel}/gedeelde-registraties", json={"registratie": other}, headers=headers
    )
    missing = client.post(
        f"/v1/samenwerkingen/{tafel}/gedeelde-registraties", json={"registratie": MISSING}, headers=headers
    )
    assert idor.status_code == missing.status_code == 404
    assert _same_modulo(idor.text, missing.text, other, MISSING)
    own = env.probes["OD-NZKG:niet-gedeeld"]
    late = client.post(
        f"/v1/samenwerkingen/{expired}/gedeelde-registraties", json={"registratie": own}, headers=headers
    )
    assert late.status_code == 403 and late.json()["regel"] == "periode"
    stranger = env.clients["dcmr.inspecteur"] if "dcmr.inspecteur" in env.clients else env.clients["ilt.analist"]
    knelpunt = oracle.collabs["KNELPUNT-AFVAL-AA"].id
    csrf2 = re.search(r'name="csrf_token" value="([^"]+)"', stranger.get("/account").text)
    assert csrf2
    outsider = stranger.post(
        f"/v1/samenwerkingen/{knelpunt}/gedeelde-registraties",
        json={"registratie": own},
        headers={"X-CSRF-Token": csrf2.group(1)},
    )
    assert outsider.status_code == 403 and outsider.json()["regel"] == "need-to-know"


def test_the_matrix_covers_every_kind_of_data(env: Env) -> None:
    """Guard against a vacuous matrix: each case appears, and each user sees something somewhere."""
    names = set(env.probes)
    for needed in (
        "OD-NZKG:niet-gedeeld",
        "DCMR:niet-gedeeld",
        "DCMR:TAFEL-AFVAL-NZKG",
        "ILT:TAFEL-AFVAL-NZKG",
        "DCMR:TAFEL-FGAS-2023",
        "OD-NZKG-BOA:geheim",
        "OD-NZKG:vertrouwelijk",
        "NLA:KNELPUNT-AFVAL-AA",
    ):
        assert needed in names
    for username in CASE_USERS:
        assert any(
            env.oracle.visible(username, p) for p in PURPOSES if env.oracle.purpose_refusal(username, p) is None
        ), username


def test_demo_accounts_cover_every_role_in_several_organisations(seeded_engine: Engine) -> None:
    from plein.auth.demo import existing_demo_accounts

    accounts = existing_demo_accounts(seeded_engine)
    roles = {role for _name, _password, role, _org in accounts}
    assert roles == {"analist", "inspecteur", "casusregisseur", "beleidsmedewerker", "privacy_officer", "beheerder"}
    for role in roles:
        assert len({org for _n, _p, r, org in accounts if r == role}) >= 2, role
    assert all(password == demo_password(name, SEED) for name, password, _r, _o in accounts)


# ---------------------------------------------------------------- administration and quarantine across organisations
BEHEERDERS = ("od-nzkg.beheerder", "dcmr.beheerder")  # every beheerder of the demo accounts
ABOVE = "zeer_geheim"  # a clearance above every demo beheerder's own (intern)
NEW_PASSWORD = "Een-lang-nieuw-wachtwoord-2026!"
MAPPING_NOTE = "\n# aangepast door de beheerder\n"
SQUIT_ENCODING = "cp1252"  # the demo's CSV export, as its packaged mapping reads it


@dataclass
class AdminWorld:
    engine: Engine
    clients: dict[str, TestClient]
    csrf: dict[str, str]
    source_org: dict[str, str]  # source code -> organisation code
    planted: dict[str, tuple[int, str, str]]  # source code -> (quarantine id, planted KvK, planted name)
    valid: dict[str, tuple[str, bytes]]  # source code -> (file name, a one-row valid export)
    fix: dict[str, tuple[str, str]]  # source code -> (date column, a valid date for the planted row)


def _rows_of(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    """The header and rows of a demo export (CSV, Excel workbook or JSON)."""
    if path.suffix == ".csv":
        lines = path.read_text(encoding=SQUIT_ENCODING).splitlines()
        header = lines[0].split(";")
        return header, [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:3]]
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True)["Meldingen"]
        rows = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
        header = [str(h) for h in rows[0]]
        return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]
    items = json.loads(path.read_text(encoding="utf-8"))
    return [], items[:2]


def _export_bytes(suffix: str, header: list[str], rows: list[dict[str, object]]) -> bytes:
    if suffix == ".csv":
        lines = [";".join(header), *(";".join(str(r[h]) for h in header) for r in rows)]
        return ("\n".join(lines) + "\n").encode(SQUIT_ENCODING)
    if suffix == ".xlsx":
        import io

        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Meldingen"
        sheet.append(header)
        for row in rows:
            sheet.append([row[h] for h in header])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    return json.dumps(rows, ensure_ascii=False, default=str).encode()


def _set(row: dict[str, object], column: str, value: str) -> None:
    """Set a (possibly dotted, JSON) column of an export row."""
    *parents, last = column.split(".")
    target = row
    for part in parents:
        target = target[part]  # type: ignore[assignment]
    target[last] = value


def _login(app: FastAPI, username: str) -> tuple[TestClient, str]:
    client = TestClient(app, base_url="https://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inloggen").text)
    assert token
    response = client.post(
        "/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": demo_password(username, SEED), "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, (username, response.text)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text)
    assert csrf
    return client, csrf.group(1)


@pytest.fixture(scope="module", params=BACKENDS)
def admin_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminWorld]:
    """The demo world (as tests/conftest.py seeds it) of its own, since these tests write: the demo sources
    registered, each with one quarantined row holding a planted KvK number and name."""
    from plein.demo.exports import DEMO_EXPORTS, register_demo_sources
    from plein.demo.seed import seed_demo_world
    from plein.ingest.importer import import_file
    from plein.ingest.sources import source_mapping
    from plein.store.engine import create_engine_for
    from plein.store.migrate import upgrade

    directory = tmp_path_factory.mktemp(f"admin-{request.param}")
    with fresh_database(request.param, directory) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        seed_demo_world(engine, size="small", seed=SEED, out_dir=directory / "demo")
        with Session(engine) as session, session.begin():
            codes = register_demo_sources(session)
        source_org, planted, valid, fix = {}, {}, {}, {}
        for n, export in enumerate(DEMO_EXPORTS):
            assert export.source_code in codes
            with Session(engine) as session:
                source = session.scalars(select(IngestSource).where(IngestSource.code == export.source_code)).one()
                mapping = source_mapping(source)
            path = directory / "demo" / "exports" / export.file_name
            header, (first, second) = _rows_of(path)
            key = mapping.key[0]
            date_column = mapping.fields["occurred_on"].column
            assert date_column
            kvk_column = mapping.fields["reported_kvk"].column
            name_column = mapping.fields["reported_name"].column
            assert kvk_column and name_column
            kvk, name = f"9{n}765432", f"Geplante Vennootschap {n} B.V."
            bad = json.loads(json.dumps(second, default=str))
            _set(bad, key, f"{bad[key]}-Q")
            _set(bad, date_column, "niet-een-datum")
            _set(bad, kvk_column, kvk)
            _set(bad, name_column, name)
            planted_file = directory / f"planted-{export.file_name}"
            planted_file.write_bytes(_export_bytes(path.suffix, header, [bad]))
            summary = import_file(engine, export.source_code, planted_file)
            assert summary.rows_quarantined == 1, export.source_code
            with Session(engine) as session:
                quarantine_id = session.scalars(
                    select(QuarantinedRow.id).where(QuarantinedRow.source_id == source.id)
                ).one()
            good_date = second[date_column]
            if isinstance(good_date, dt.datetime | dt.date):
                good_date = good_date.strftime(mapping.date_formats[0])
            source_org[export.source_code] = export.organisation_code
            planted[export.source_code] = (quarantine_id, kvk, name)
            valid[export.source_code] = (export.file_name, _export_bytes(path.suffix, header, [first]))
            fix[export.source_code] = (date_column, str(good_date))
        app = create_app(engine, Settings(var_dir=Path(tmp_path_factory.mktemp("admin-var"))))
        clients, csrf = {}, {}
        for username in BEHEERDERS:
            clients[username], csrf[username] = _login(app, username)
        yield AdminWorld(engine, clients, csrf, source_org, planted, valid, fix)
        engine.dispose()


def _refusals(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.scalars(select(AuditEntry).where(AuditEntry.status == "geweigerd")).all())


def _source_state(engine: Engine, code: str) -> tuple[object, ...]:
    """What a refused request must leave as it was: records, imports, the mapping and the quarantined rows."""
    with Session(engine) as session:
        source = session.scalars(select(IngestSource).where(IngestSource.code == code)).one()
        rows = session.scalars(select(QuarantinedRow).where(QuarantinedRow.source_id == source.id)).all()
        return (
            _record_count(engine),
            len(session.scalars(select(IngestRun.id)).all()),
            source.mapping_name,
            source.mapping_yaml,
            sorted((q.id, q.status, json.dumps(q.raw, sort_keys=True, default=str), q.record_id) for q in rows),
        )


def _record_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.scalars(select(Record.id)).all())


def _user_state(engine: Engine, user_id: int) -> tuple[object, ...]:
    with Session(engine) as session:
        user = session.get(UserAccount, user_id)
        assert user is not None
        return (user.role, user.clearance, user.active, user.password_hash, user.locked_until, user.organisation_id)


def test_quarantined_rows_are_shown_to_the_source_organisation_only(admin_world: AdminWorld) -> None:
    assert len(admin_world.source_org) == 3 and set(admin_world.source_org.values()) >= {"OD-NZKG", "DCMR"}
    for username in BEHEERDERS:
        own = admin_world_org(admin_world, username)
        for code, (quarantine_id, kvk, name) in admin_world.planted.items():
            page = admin_world.clients[username].get(f"/bronnen/{code}")
            where = (username, code)
            assert page.status_code == 200, where
            if admin_world.source_org[code] == own:
                assert kvk in page.text and name in page.text, where
                assert f"/quarantaine/{quarantine_id}" in page.text, where
            else:
                assert kvk not in page.text and name not in page.text, where
                assert f"/quarantaine/{quarantine_id}" not in page.text, where


def admin_world_org(world: AdminWorld, username: str) -> str:
    with Session(world.engine) as session:
        user = session.scalars(select(UserAccount).where(UserAccount.username == username)).one()
        return session.get_one(Organisation, user.organisation_id).code


def _source_posts(world: AdminWorld, username: str, code: str) -> dict[str, Callable[[], httpx.Response]]:
    client, csrf = world.clients[username], world.csrf[username]
    quarantine_id = world.planted[code][0]
    date_column, good_date = world.fix[code]
    with Session(world.engine) as session:
        source = session.scalars(select(IngestSource).where(IngestSource.code == code)).one()
        mapping_yaml = source.mapping_yaml
    file_name, content = world.valid[code]
    return {
        "upload": lambda: client.post(
            f"/bronnen/{code}/imports",
            data={"csrf_token": csrf},
            files={"bestand": (file_name, content)},
            follow_redirects=False,
        ),
        "mapping": lambda: client.post(
            f"/bronnen/{code}/mapping",
            data={"csrf_token": csrf, "mapping_yaml": mapping_yaml + MAPPING_NOTE},
            follow_redirects=False,
        ),
        "quarantaine": lambda: client.post(
            f"/bronnen/{code}/quarantaine/{quarantine_id}",
            data={"csrf_token": csrf, f"veld{date_column}": good_date},
            follow_redirects=False,
        ),
    }


def test_only_the_source_organisation_imports_maps_and_reprocesses(admin_world: AdminWorld) -> None:
    engine = admin_world.engine
    refused = 0
    for username in BEHEERDERS:  # first every refusal, so the own rows are still open for the others
        own = admin_world_org(admin_world, username)
        for code in admin_world.source_org:
            if admin_world.source_org[code] == own:
                continue
            for action, post in _source_posts(admin_world, username, code).items():
                before, refusals = _source_state(engine, code), _refusals(engine)
                response = post()
                where = (username, code, action)
                assert response.status_code == 403, (*where, response.status_code)
                assert _source_state(engine, code) == before, where
                assert _refusals(engine) == refusals + 1, where
                refused += 1
    assert refused == 2 * 2 * 3
    for username in BEHEERDERS:
        own = admin_world_org(admin_world, username)
        (code,) = [c for c, org in admin_world.source_org.items() if org == own]
        posts = _source_posts(admin_world, username, code)
        records = _record_count(engine)
        upload = posts["upload"]()
        assert upload.status_code == 303, (username, upload.text)
        assert _record_count(engine) == records  # the row was there already: nothing new
        with Session(engine) as session:
            run = session.scalars(
                select(IngestRun).join(IngestSource).where(IngestSource.code == code).order_by(IngestRun.id.desc())
            ).first()
            assert run is not None and run.rows_in == 1 and run.rows_quarantined == 0, (username, run and run.messages)
        mapping = posts["mapping"]()
        assert mapping.status_code == 200 and "Mapping opgeslagen" in mapping.text, username
        assert str(_source_state(engine, code)[3]).endswith(MAPPING_NOTE)
        reprocess = posts["quarantaine"]()
        assert reprocess.status_code == 200 and "Regel opgeslagen" in reprocess.text, (username, reprocess.text)
        with Session(engine) as session:
            row = session.get_one(QuarantinedRow, admin_world.planted[code][0])
            assert row.status == QuarantineStatus.PROCESSED and row.record_id is not None
        assert _record_count(engine) == records + 1


def test_a_beheerder_manages_accounts_of_its_own_organisation_up_to_its_clearance(admin_world: AdminWorld) -> None:
    engine = admin_world.engine
    with Session(engine) as session:
        users = {u.username: (u.id, u.organisation_id, u.role) for u in session.scalars(select(UserAccount))}
    for username in BEHEERDERS:
        client, csrf = admin_world.clients[username], admin_world.csrf[username]
        own = users[username][1]
        others = [(name, uid, role) for name, (uid, org, role) in users.items() if org != own]
        assert len(others) >= 5, username
        for name, uid, role in others:
            requests = {  # action -> (method, path, form)
                "bekijken": ("GET", f"/beheer/gebruikers/{uid}", None),
                "rol": ("POST", f"/beheer/gebruikers/{uid}/rol", {"rol": role, "rubricering": "intern"}),
                "wachtwoord": ("POST", f"/beheer/gebruikers/{uid}/wachtwoord", {"wachtwoord": NEW_PASSWORD}),
                "status": ("POST", f"/beheer/gebruikers/{uid}/status", {"actie": "deactiveren"}),
            }
            for action, (method, path, form) in requests.items():
                before, refusals = _user_state(engine, uid), _refusals(engine)
                data = None if form is None else {"csrf_token": csrf, **form}
                response = client.request(method, path, data=data)
                where = (username, name, action)
                assert response.status_code == 404, (*where, response.status_code)
                assert _user_state(engine, uid) == before, where
                assert _refusals(engine) == refusals + 1, where
        # Within the own organisation: an account up to the beheerder's clearance is managed; one above it is
        # shown but not changed, and no account is raised above it.
        colleague = next(n for n, (_i, org, r) in users.items() if org == own and r == "beleidsmedewerker")
        senior = next(n for n, (_i, org, r) in users.items() if org == own and r == "analist")
        uid = users[colleague][0]
        before, refusals = _user_state(engine, uid), _refusals(engine)
        above = client.post(
            f"/beheer/gebruikers/{uid}/rol", data={"csrf_token": csrf, "rol": "beleidsmedewerker", "rubricering": ABOVE}
        )
        assert above.status_code == 403, (username, above.status_code)
        assert _user_state(engine, uid) == before and _refusals(engine) == refusals + 1, username
        page = client.get(f"/beheer/gebruikers/{uid}")
        assert page.status_code == 200 and colleague in page.text, username
        senior_id = users[senior][0]
        assert client.get(f"/beheer/gebruikers/{senior_id}").status_code == 200, username
        before, refusals = _user_state(engine, senior_id), _refusals(engine)
        reset = client.post(
            f"/beheer/gebruikers/{senior_id}/wachtwoord", data={"csrf_token": csrf, "wachtwoord": "x" * 20}
        )
        assert reset.status_code == 403, (username, reset.status_code)
        assert _user_state(engine, senior_id) == before and _refusals(engine) == refusals + 1, username

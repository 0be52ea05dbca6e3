"""plein used as a person uses it, in Debian chromium: for every demo role, log in, follow the links the
pages offer, submit every search form from its default state and with typical input, and fail on
any error answer nobody provoked, on raw codes in visible text, on silent cut-offs, on a page
wider than the window at 1366 and at 390 px, and on any WCAG 2.1 A/AA violation axe-core finds (on
every page every role reaches, the login page included).

One seeded demo world (a copy of the shared small world, plus one small crawl of the demo webshops so
that internet supervision has offers and evidence) and one server serve every role. The crawl is
bounded: at most ``PER_ROLE`` pages per role, ``PER_PATTERN`` pages per kind of page (a path with its
numbers taken out, and the names of its query parameters) and ``PER_PATH`` per path, so it stays short.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.auth.demo import demo_password
from plein.core.models import Establishment
from plein.core.names import tokens
from plein.settings import Settings
from plein.store.engine import create_engine_for
from plein.web.app import create_app
from tests.serving import launch_chromium, running

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and os.environ.get("CI", "").lower() not in ("1", "true", "yes"),
        reason="Debian chromium is not installed (apt-get install chromium)",
    ),
]
SEED = 7  # the seed of the shared small world (tests/conftest.py)
ROLES = (
    "od-nzkg.analist",
    "od-nzkg.inspecteur",
    "od-nzkg.casusregisseur",
    "od-nzkg.beleidsmedewerker",
    "od-nzkg.privacy-officer",
    "od-nzkg.beheerder",
)
PER_ROLE = 50  # room for the footer statements and the start page's first steps
PER_PATTERN = 2
PER_PATH = 4
WIDTHS = (1366, 390)
REACHED = {
    "/dossier/#",
    "/dossier/#.pdf",
    "/zoeken/bulk",
    "/registraties/#",
    "/internettoezicht/aanbod/#/bewijs/#",
    "/audit",
    "/resolutie/wachtrij",
    "/zoeken/kaart",
    "/toegankelijkheidsverklaring",
    "/privacyverklaring",
    "/contact",
}
NEVER = ("/uitloggen", "/inloggen", "/v1/openapi.json")
DOWNLOADS = (".pdf", ".csv", ".xlsx")

# Raw codes: snake_case and SCREAMING_SNAKE tokens. Words a person may legitimately read that look
# like codes go in the allow-list (none so far: code belongs in <code>, which the check skips).
CODE = re.compile(r"\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
ALLOWED_CODES: frozenset[str] = frozenset()
VISIBLE_TEXT = """() => {
  const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA", "NOSCRIPT"]);
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let el = node.parentElement, hidden = false;
    for (let up = el; up; up = up.parentElement) { if (skip.has(up.tagName)) { hidden = true; break; } }
    if (hidden || !el.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join(" ");
}"""
# Every list shows its total; when it shows fewer rows than the total there must be a way on.
CUT_OFF = """() => {
  const problems = [];
  for (const count of document.querySelectorAll("[id^=aantal-]")) {
    const text = count.textContent.replace(/\\./g, "");
    const m = text.match(/(\\d+)\\s*(?:vestiging|registratie|regel|aanbieding|koppeling|gevonden)/);
    if (!m) continue;
    const total = parseInt(m[1], 10);
    const rows = document.querySelectorAll("table:not(table table) > tbody > tr").length;
    const paging = document.querySelector("nav.plein-paging a, a[rel=next]");
    if (rows < total && !paging) {
      problems.push(count.textContent.trim().slice(0, 80) + ` (${rows} rijen, geen paginering)`);
    }
  }
  return problems;
}"""
# axe-core from node_modules (package.json), loaded into every page before its own scripts; a page's
# content security policy does not apply to init scripts.
AXE = Path("node_modules/axe-core/axe.min.js").resolve()
AXE_RUN = """async () => {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help}; ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""
OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
GET_FORMS = """() => Array.from(document.querySelectorAll("form"))
  .filter(f => (f.getAttribute("method") || "get").toLowerCase() === "get" && f.hasAttribute("action"))
  .map(f => {
  const fields = [];
  for (const el of f.elements) {
    if (!el.name || el.disabled || el.type === "submit" || el.type === "button") continue;
    if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
    const options = el.tagName === "SELECT" ? Array.from(el.options).map(o => o.value) : [];
    fields.push({name: el.name, value: el.value, type: el.type, tag: el.tagName, options});
  }
  return {action: f.action, fields};
})"""


@dataclass
class Findings:
    """Everything the walk found wrong, with where."""

    problems: list[str] = field(default_factory=list)
    pages: Counter[str] = field(default_factory=Counter)
    kinds: set[str] = field(default_factory=set)  # path patterns visited, by any role
    axe_pages: int = 0  # pages axe-core checked

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def _copy_sqlite(engine: Engine, target: Path) -> str:
    source = engine.url.database
    assert source
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def _crawl_demo_shops(url: str, var_dir: Path) -> None:
    """One small crawl of the demo webshops as OD-NZKG, so the worklist, offers and evidence have data."""
    from plein.demo.webshops import start_webshops
    from plein.demo.webshops.sellers import demo_world_sellers
    from plein.webwatch.themes import get_theme

    engine = create_engine_for(url)
    with Session(engine) as session:  # the shops' business sellers are companies of the demo world
        sellers = demo_world_sellers(session)
    engine.dispose()
    shops = start_webshops(seed=3, scale=1, crawl_delay=0, sellers=sellers)
    try:
        starts = [f"{base}/zoeken?q={get_theme('f-gassen').search_terms[0]}" for base in list(shops.sites.values())[:2]]
        args = [sys.executable, "-m", "plein", "webwatch", "crawl", "f-gassen", "--organisation", "OD-NZKG"]
        for start in starts:
            args += ["--start-url", start]
        args += ["--delay", "0", "--max-pagination", "2"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLEIN_")}
        env.update({"PLEIN_DATABASE_URL": url, "PLEIN_VAR_DIR": str(var_dir), "PLEIN_SECRET_KEY": "walkthrough"})
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        shops.stop()


@pytest.fixture(scope="module")
def server(seeded_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    if seeded_engine.dialect.name != "sqlite":
        pytest.skip("de rondgang draait één keer, op een kopie van de SQLite-demowereld")
    directory = tmp_path_factory.mktemp("walkthrough")
    url = _copy_sqlite(seeded_engine, directory / "plein.db")
    _crawl_demo_shops(url, directory / "var")
    engine = create_engine_for(url)
    settings = Settings(var_dir=directory / "var", assets_dir=Path("node_modules").resolve(), secret_key="walkthrough")
    with running(create_app(engine, settings)) as base:
        yield base, engine
    engine.dispose()


def pattern(url: str) -> str:
    """The kind of page: the path with numbers taken out, and the names of the query parameters."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "#", parts.path)
    names = sorted({k for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "doel"})
    return f"{path}?{'&'.join(names)}"


def typical(fields: list[dict[str, Any]], word: str) -> list[tuple[str, str]]:
    """What a person would type: a place, a word of a company name, the label of a theme, a date."""
    answers = {
        "q": word,
        "plaats": "Amsterdam",
        "thema": "Afval",
        "gebruiker": "od-nzkg.analist",
        "id": "vestiging:1",
        "van": "2022-01-01",
    }
    out = []
    for f in fields:
        value = f["value"]
        if f["name"] in answers and f["tag"] != "SELECT":
            value = answers[f["name"]]
        out.append((f["name"], value))  # a choice list keeps its default (all themes, all kinds)
    return out


def _same_origin(base: str, href: str) -> bool:
    return href.startswith(base + "/")


def walk(browser: Any, base: str, username: str, word: str, findings: Findings) -> None:
    """Log in as ``username`` and walk the pages it is offered (breadth first, bounded)."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    failed: list[str] = []
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and _same_origin(base, r.url) and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.goto(f"{base}/inloggen")
    accessible(page, f"{username} /inloggen", findings)
    page.fill("#gebruikersnaam", username)
    page.fill("#wachtwoord", demo_password(username, SEED))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    # Submitted forms and kinds of page not yet seen go first, so a bounded walk reaches every kind
    # of page rather than every variant of the first list it meets.
    novel: deque[str] = deque([f"{base}/"])
    queue: deque[str] = deque()
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    visited = 0
    while (novel or queue) and visited < PER_ROLE:
        url = (novel or queue).popleft().split("#")[0]
        if url in seen or any(urlsplit(url).path.startswith(n) for n in NEVER):
            continue
        seen.add(url)
        kind = pattern(url)
        path_kind = kind.split("?")[0]
        if per_pattern[kind] >= PER_PATTERN or per_pattern[path_kind] >= PER_PATH:
            continue
        per_pattern[kind] += 1
        per_pattern[path_kind] += 1
        where = f"{username} {url[len(base) :]}"
        findings.kinds.add(kind.split("?")[0])
        if urlsplit(url).path.endswith(DOWNLOADS) or "formaat=" in urlsplit(url).query:
            answer = context.request.get(url)
            if answer.status >= 400 or answer.headers.get("content-type", "").startswith("text/html"):
                findings.add(where, f"download gaf {answer.status} ({answer.headers.get('content-type')})")
            findings.pages[username] += 1
            continue
        failed.clear()
        response = page.goto(url)
        visited += 1
        findings.pages[username] += 1
        status = response.status if response else 0
        if status >= 400 or failed:
            findings.add(where, f"status {status} {page.title()!r}; {failed}")
            continue
        text = page.evaluate(VISIBLE_TEXT)
        codes = sorted({c for c in CODE.findall(text) if c not in ALLOWED_CODES})
        if codes:
            findings.add(where, f"ruwe codes in zichtbare tekst: {codes[:8]}")
        for problem in page.evaluate(CUT_OFF):
            findings.add(where, f"stil afgekapt: {problem}")
        if response and response.headers.get("content-type", "").startswith("text/html"):
            accessible(page, where, findings)  # a JSON answer the browser shows is no page of plein's
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
            scroll, inner = page.evaluate(OVERFLOW)
            if scroll > inner:
                findings.add(where, f"breder dan het venster bij {width} px ({scroll} > {inner})")
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        links = page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
        forms = page.evaluate(GET_FORMS)
        submissions = []
        for form in forms:
            default = [(f["name"], f["value"]) for f in form["fields"]]
            for fields in (default, typical(form["fields"], word)):
                action = form["action"].split("?")[0]
                submissions.append(f"{action}?{urlencode(fields)}")
        for href in [*submissions, *links]:  # forms first: they are what a person does on a page
            if _same_origin(base, href) and href.split("#")[0] not in seen:
                kind_seen = per_pattern[pattern(href).split("?")[0]] > 0
                (queue if kind_seen and href not in submissions else novel).append(href)
    wrong_input(page, base, username, findings)
    if any(urlsplit(u).path == "/zoeken/kaart" for u in seen):  # only where the pages offer the map
        map_popup(page, base, username, findings)
    context.close()


def map_popup(page: Any, base: str, username: str, findings: Findings) -> None:
    """The map's controls speak Dutch, and a marker's popup leads to the establishment's dossier."""
    if page.goto(f"{base}/zoeken/kaart").status != 200 or not page.locator("#kaart-form").count():
        return
    where = f"{username} /zoeken/kaart"
    if page.locator(".leaflet-control-zoom-in").get_attribute("title") != "Inzoomen":
        findings.add(where, "de zoomknoppen van de kaart zijn niet Nederlands")
    page.fill("#straal", "1000")
    page.locator("#kaart-form button[type=submit]").click()
    from playwright.sync_api import expect

    # a locator wait, not a string evaluated in the page: the Content-Security-Policy forbids eval
    expect(page.locator("#kaart-status")).not_to_have_text(re.compile(r"^(|Zoeken…)$"), timeout=15_000)
    status = page.inner_text("#kaart-status")
    if "binnen" not in status:
        findings.add(where, f"kaartzoeken mislukt: {status}")
        return
    markers = page.locator("path.plein-punt")
    if markers.count():
        markers.first.click(force=True)
        popup = page.locator(".leaflet-popup-content a[href^='/dossier/']")
        if not popup.count():
            findings.add(where, "de popup van een punt linkt niet naar het dossier")


def accessible(page: Any, where: str, findings: Findings) -> None:
    """axe-core over the whole page: every WCAG 2.1 A or AA violation is a finding."""
    for violation in page.evaluate(AXE_RUN):
        findings.add(where, f"WCAG: {violation}")
    findings.axe_pages += 1


# A person's typing mistake: the page answers 400 but keeps the form, what was typed, and says beside
# the field what is wrong.
MISTAKES = (
    ("/zoeken/bulk", "postcodeVan", "12", "Amsterdam"),
    ("/registraties", "thema", "Geen bestaand thema", ""),
)


def wrong_input(page: Any, base: str, username: str, findings: Findings) -> None:
    for path, name, typed, place in MISTAKES:
        if page.goto(f"{base}{path}").status != 200 or not page.locator(f"[name={name}]").count():
            continue
        field = page.locator(f"form [name={name}]").first
        if field.evaluate("e => e.tagName") == "SELECT":  # a select offers no mistake to make: ask the URL
            page.goto(f"{base}{path}?{urlencode({name: typed})}")
        else:
            if place:
                page.fill("#plaats", place)
            field.fill(typed)
            field.press("Enter")
            page.wait_for_load_state()
        where = f"{username} {path} met {name}={typed!r}"
        accessible(page, where, findings)
        if not page.locator("form [name=doel]").count():
            findings.add(where, "de foutmelding vervangt het formulier")
            continue
        kept = page.evaluate(f"() => Array.from(document.querySelectorAll('form [name={name}]')).map(e => e.value)")
        if field.evaluate("e => e.tagName") != "SELECT" and typed not in kept:
            findings.add(where, f"de invoer is weg ({kept})")
        if not page.locator(f"#{name}-fout, [aria-describedby~='{name}-fout']").count():
            findings.add(where, "geen melding bij het veld")


def test_every_role_walks_plein_without_errors_codes_cut_offs_or_overflow(server: tuple[str, Engine]) -> None:
    from playwright.sync_api import sync_playwright

    base, engine = server
    with Session(engine) as session:  # a word many names share: more hits than one page holds
        names = session.scalars(select(Establishment.name).limit(3000)).all()
    words = Counter(w for n in names for w in tokens(n) if len(w) > 3 and w.isalpha())  # no legal forms
    word = words.most_common(1)[0][0]
    findings = Findings()
    roles = [r for r in os.environ.get("PLEIN_TEST_WALK_ROLES", ",".join(ROLES)).split(",") if r]
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for username in roles:
                walk(browser, base, username, word, findings)
        finally:
            browser.close()
    assert all(findings.pages[u] >= 3 for u in roles), findings.pages  # every role got somewhere
    assert findings.axe_pages >= 4 * len(roles), findings.axe_pages  # axe-core ran on the pages, not beside them
    # the walk reached the pages the listed defects were on
    if set(roles) == set(ROLES):
        assert findings.kinds >= REACHED, REACHED - findings.kinds
    assert not findings.problems, "\n".join(findings.problems)


def test_a_demo_company_that_sells_online_shows_its_offers_in_its_dossier(server: tuple[str, Engine]) -> None:
    from playwright.sync_api import sync_playwright

    from plein.core.models import LegalEntity
    from plein.webwatch.models import WebOffer

    base, engine = server
    with Session(engine) as session:  # the crawl found offers of demo companies, by their KvK number
        establishment_id = session.scalar(
            select(Establishment.id)
            .join(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
            .join(WebOffer, WebOffer.seller_kvk == LegalEntity.kvk)
            .order_by(Establishment.id)
            .limit(1)
        )
    assert establishment_id is not None, "no web offer of a demo-world company"
    username = "od-nzkg.analist"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{base}/inloggen")
            page.fill("#gebruikersnaam", username)
            page.fill("#wachtwoord", demo_password(username, SEED))
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            response = page.goto(f"{base}/dossier/{establishment_id}")
            assert response is not None and response.status == 200
            assert page.locator("a[href^='/internettoezicht/aanbod/']").count() >= 1
        finally:
            browser.close()

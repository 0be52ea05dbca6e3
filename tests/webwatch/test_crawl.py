"""The Done-when list: a crawl of the demo webshops, checked against their ground truth and request log."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.core.vocabulary import RunStatus
from plein.demo.webshops import Webshops
from plein.policy.roles import Actor, Purpose, Role
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade
from plein.webwatch import service
from plein.webwatch.models import WebCrawl, WebLabel, WebOffer, WebPage
from tests.databases import BACKENDS, fresh_database
from tests.webwatch.conftest import ALL_THEMES, crawl_args, run_crawl, start_urls

# Real crawls against the demo webshops, one of them timing the crawl delay: alone, not beside other tests.
pytestmark = [pytest.mark.slow, pytest.mark.serial]


class Crawled:
    """One full crawl of the four demo sites on one backend, shared by the tests of this module."""

    def __init__(self, engine: Engine, var_dir: Path, result: dict[str, Any], shops: Webshops, log_start: int):
        self.engine = engine
        self.var_dir = var_dir
        self.result = result
        self.shops = shops
        self.log = shops.log[log_start:]
        self.truth = shops.ground_truth()

    def offers(self) -> list[WebOffer]:
        with Session(self.engine) as session:
            return list(session.scalars(select(WebOffer)))


@pytest.fixture(scope="module", params=BACKENDS)
def crawled(
    request: pytest.FixtureRequest, webshops: Webshops, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crawled]:
    directory = tmp_path_factory.mktemp(f"crawl-{request.param}")
    with fresh_database(request.param, directory) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        start = len(webshops.log)
        result = run_crawl(
            url,
            directory / "var",
            crawl_args(ALL_THEMES, start_urls(webshops), "--delay", "0", "--max-pagination", "10"),
        )
        yield Crawled(engine, directory / "var", result, webshops, start)
        engine.dispose()


def _offer_for_url(offers: list[WebOffer]) -> dict[str, WebOffer]:
    return {url: offer for offer in offers for url in offer.urls}


def test_every_ground_truth_offer_is_found(crawled: Crawled) -> None:
    assert crawled.result["status"] == RunStatus.DONE
    offers = crawled.offers()
    by_url = _offer_for_url(offers)
    truth = crawled.truth["offers"]
    missing = [o["url"] for o in truth if o["url"] not in by_url]
    assert missing == []
    for item in truth:
        offer = by_url[item["url"]]
        assert offer.theme_code == item["theme"]
        assert float(offer.price or 0) == pytest.approx(item["price"])
        if item["gtin"]:
            assert offer.gtin == item["gtin"]
        if item["seller_type"] == "bedrijf":
            assert offer.seller_kvk == item["seller_kvk"]
    # Re-listed ads and the same seller's same product are one offer, not two.
    distinct = {o["same_as"] or o["id"] for o in truth}
    assert len(offers) == len(distinct)
    relisted = [o for o in truth if o["id"].endswith("r")]
    assert relisted and all(by_url[o["url"]] is by_url[o["url"].removesuffix("-opnieuw")] for o in relisted)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_no_planted_personal_data_is_stored_for_inspectors(crawled: Crawled) -> None:
    offers = crawled.offers()
    stored = "\n".join(
        " ".join([o.title, o.description, o.category, o.seller_name, o.model, o.brand, " ".join(o.urls)])
        for o in offers
    )
    stored_digits = _digits(stored)
    planted = [p for o in crawled.truth["offers"] for p in o["personal_data"]]
    assert len(planted) > 30
    leaks = [p for p in planted if p in stored or (len(_digits(p)) >= 9 and _digits(p) in stored_digits)]
    assert leaks == []
    private = [o for o in offers if o.seller_type == "particulier"]
    assert private and all(o.seller_name.startswith("Particulier PS-") for o in private)
    assert all(o.personal_data_removed for o in private)


def test_private_sellers_get_stable_pseudonyms(crawled: Crawled) -> None:
    truth = {o["url"]: o for o in crawled.truth["offers"]}
    by_url = _offer_for_url(crawled.offers())
    pseudonyms: dict[str, set[str]] = {}
    for url, item in truth.items():
        if item["seller_type"] == "particulier":
            pseudonyms.setdefault(item["personal_data"][2], set()).add(by_url[url].seller_pseudonym)
    assert all(len(p) == 1 for p in pseudonyms.values())
    assert len({next(iter(p)) for p in pseudonyms.values()}) == len(pseudonyms)


def test_classification_precision_and_recall_on_held_out_offers(
    crawled: Crawled, capsys: pytest.CaptureFixture[str]
) -> None:
    by_url = _offer_for_url(crawled.offers())
    truth = crawled.truth["offers"]
    for theme in ALL_THEMES:
        train = [(by_url[o["url"]], o["violation"]) for o in truth if o["theme"] == theme and o["split"] == "train"]
        texts = [(f"{offer.title}\n{offer.category}\n{offer.description}", label) for offer, label in train]
        service.add_training_labels(crawled.engine, theme, texts, "grondwaarheid")
        service.retrain(crawled.engine, theme)
    scores = {}
    with Session(crawled.engine) as session:
        current = {o.id: o for o in session.scalars(select(WebOffer))}
        for theme in ALL_THEMES:
            test = [
                (current[by_url[o["url"]].id], o["violation"])
                for o in truth
                if o["theme"] == theme and o["split"] == "test" and not o["same_as"]
            ]
            tp = sum(1 for offer, label in test if offer.likely_violation and label)
            fp = sum(1 for offer, label in test if offer.likely_violation and not label)
            fn = sum(1 for offer, label in test if not offer.likely_violation and label)
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            scores[theme] = (precision, recall, len(test))
            assert all(offer.reasons for offer, _ in test if offer.likely_violation)
    with capsys.disabled():
        for theme, (precision, recall, n) in scores.items():
            print(f"\n  {theme}: precisie {precision:.2f}, recall {recall:.2f} (n={n}, achtergehouden)")
    assert all(precision >= 0.6 and recall >= 0.6 for precision, recall, _ in scores.values()), scores


def test_robots_disallow_and_user_agent_are_honoured(crawled: Crawled) -> None:
    disallowed = crawled.truth["disallowed"]
    sites = {url: name for name, url in crawled.shops.sites.items()}
    fetched = [(entry.site, entry.path) for entry in crawled.log]
    assert fetched
    bad = [(site, path) for site, path in fetched if any(path.startswith(p) for p in disallowed[site])]
    assert bad == []
    assert all(entry.user_agent.startswith("plein-webwatch/") for entry in crawled.log)
    assert crawled.result["robots_geweigerd"] > 0
    assert set(sites.values()) == {site for site, _ in fetched}


def test_crawl_delay_is_honoured(crawled: Crawled) -> None:
    delay = crawled.truth["crawl_delay"]["bouwshop"]
    times = sorted(e.time for e in crawled.log if e.site == "bouwshop" and e.path != "/robots.txt")
    assert len(times) > 10
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    # Scrapy spaces requests by when it dispatches them; a page whose pipelines briefly hold the reactor
    # delays the sending of one request, so single arrival gaps jitter while the rate holds: the
    # median gap and the whole span honour the Crawl-delay, and no gap comes near zero.
    assert gaps[len(gaps) // 2] >= delay * 0.95, gaps
    assert times[-1] - times[0] >= (len(times) - 1) * delay * 0.95
    assert gaps[0] >= delay * 0.25, gaps


def test_bad_pages_are_recorded_and_the_crawl_goes_on(crawled: Crawled) -> None:
    with Session(crawled.engine) as session:
        pages = {p.url.split("/", 3)[-1]: p for p in session.scalars(select(WebPage))}
    problems = {path: page.problem for path, page in pages.items() if page.problem}
    assert "binaire inhoud" in problems["kapot/binair"]
    assert "te groot" in problems["kapot/groot"]
    assert problems["kapot/500"] == "HTTP 500"
    assert problems["advertentie/verdwenen"] == "HTTP 404"
    assert "omleiding" in problems["kapot/lus"]
    assert "tekenset" in problems["kapot/latin1"]
    assert pages["kapot/traag"].status_code == 200
    assert pages["kapot/html"].status_code == 200
    endless = [path for path in pages if path.startswith("eindeloos")]
    assert 1 < len(endless) <= 10
    assert any("paginering afgebroken" in page.problem for page in pages.values())
    # The page that failed once with a 500 was retried and its offer stored.
    flaky = crawled.shops.sites["tweedehands"] + "/advertentie/tw001"
    assert Counter(
        e.status for e in crawled.log if e.site == "tweedehands" and e.path == "/advertentie/tw001"
    ) == Counter({500: 1, 200: 1})
    assert flaky in _offer_for_url(crawled.offers())


def _inspector(session: Session) -> Actor:
    crawl = session.scalars(select(WebCrawl)).first()
    assert crawl is not None
    return Actor(user_id=None, organisation_id=crawl.organisation_id, role=Role.INSPECTEUR, username="inspecteur")


def test_evidence_is_kept_with_its_hash_and_read_through_the_gate(
    crawled: Crawled, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plein.policy.gate import Gate
    from plein.settings import Settings

    monkeypatch.setenv("PLEIN_SECRET_KEY", "test-geheim-webwatch")
    settings = Settings(var_dir=crawled.var_dir)
    with Session(crawled.engine) as session:
        gate = Gate(session, _inspector(session), Purpose.for_activity("toezicht"))
        total, worklist = service.list_offers(gate, "f-gassen", only_violations=True)
        assert total > 0 and all(o.likely_violation for o in worklist)
        offer = worklist[0]
        (_observation, page), *_ = service.offer_evidence(gate, offer.id)
        reason = "Proces-verbaal 2026-17: vastleggen van het aanbod"
        from plein.policy.errors import Refused

        with pytest.raises(Refused):  # the raw page needs the evidence purpose, not the own task
            service.read_evidence(gate, offer.id, page.id, settings, reason=reason)
        session.commit()
        evidence_gate = Gate(session, _inspector(session), Purpose.for_activity("bewijsvoering"))
        evidence = service.read_evidence(evidence_gate, offer.id, page.id, settings, reason=reason)
        assert evidence.content_hash == page.content_hash and evidence.url == page.url
        assert offer.title.split()[0].encode() in evidence.body
        session.commit()
        other = Gate(
            session,
            Actor(user_id=None, organisation_id=None, role=Role.BELEIDSMEDEWERKER),
            Purpose.for_activity("sturing"),
        )
        with pytest.raises(Refused):
            service.read_evidence(other, offer.id, page.id, settings, reason=reason)


def test_analyst_label_corrections_are_kept_and_used_for_retraining(crawled: Crawled) -> None:
    with Session(crawled.engine) as session:
        actor = _inspector(session)
        analyst = Actor(user_id=None, organisation_id=actor.organisation_id, role=Role.ANALIST, username="analist")
        from plein.policy.gate import Gate

        gate = Gate(session, analyst, Purpose.for_activity("toezicht"))
        _, offers = service.list_offers(gate, "helmen", limit=500)
        target = next(o for o in offers if o.likely_violation)
        service.label_offer(gate, target.id, False, "keurmerk staat op de foto")
        session.commit()
        labels = list(session.scalars(select(WebLabel).where(WebLabel.offer_id == target.id)))
        assert [(row.label, row.analyst) for row in labels] == [(False, "analist")]
    service.retrain(crawled.engine, "helmen")
    with Session(crawled.engine) as session:
        offer = session.get(WebOffer, target.id)
        assert offer is not None and offer.label is False and offer.likely_violation is False


def _client(crawled: Crawled, username: str, role: str, organisation: str | None = None) -> TestClient:
    from plein.auth.accounts import create_user
    from plein.auth.tokens import issue_token
    from plein.core.models import Organisation
    from plein.settings import Settings
    from plein.web.app import create_app

    with Session(crawled.engine) as session, session.begin():
        if organisation is None:
            org_id = _inspector(session).organisation_id
        else:
            org = Organisation(
                code=organisation, name=organisation, kind="omgevingsdienst", legal_domain="bestuursrecht"
            )
            session.add(org)
            session.flush()
            org_id = org.id
        assert org_id is not None
        user = create_user(session, username=username, password=None, organisation_id=org_id, role=role)
        secret, _ = issue_token(session, user, "test")
    client = TestClient(create_app(crawled.engine, Settings(var_dir=crawled.var_dir, secret_key="x" * 40)))
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def test_worklist_pages_api_and_exports(crawled: Crawled) -> None:
    client = _client(crawled, "ww.inspecteur", "inspecteur")
    page = client.get("/internettoezicht/thema/f-gassen")
    assert page.status_code == 200 and "Werklijst" in page.text and "Particulier PS-" in page.text
    api = client.get("/v1/internettoezicht/aanbod", params={"thema": "f-gassen", "alleenOvertredingen": "true"})
    assert api.status_code == 200
    data = api.json()
    assert data["totaal"] > 0 and all(o["waarschijnlijkeOvertreding"] and o["redenen"] for o in data["aanbod"])
    first = data["aanbod"][0]
    detail = client.get(f"/v1/internettoezicht/aanbod/{first['id']}").json()
    assert detail["bewijs"] and len(detail["bewijs"][0]["hash"]) == 64
    evidence = client.get(f"/internettoezicht/aanbod/{first['id']}/bewijs/{detail['bewijs'][0]['paginaId']}")
    assert evidence.status_code == 200 and detail["bewijs"][0]["hash"] in evidence.text
    assert client.get(f"/internettoezicht/aanbod/{first['id']}").status_code == 200
    csv_rows = client.get("/internettoezicht/thema/f-gassen/werklijst.csv").content.decode("utf-8-sig").splitlines()
    assert csv_rows[0].startswith("Id;Thema;Score") and len(csv_rows) == data["totaal"] + 1
    xlsx = client.get("/internettoezicht/thema/f-gassen/werklijst.xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == data["totaal"] + 1
    market = client.get("/v1/internettoezicht/marktbeeld/f-gassen").json()
    assert market["crawls"] and market["platforms"]
    assert client.get("/v1/internettoezicht/themas").json()["themas"][0]["regels"]


def test_offers_are_not_visible_to_other_organisations_or_policy_roles(crawled: Crawled) -> None:
    other = _client(crawled, "ander.inspecteur", "inspecteur", organisation="ODX")
    assert other.get("/v1/internettoezicht/aanbod").json()["totaal"] == 0
    offer_id = crawled.offers()[0].id
    assert other.get(f"/v1/internettoezicht/aanbod/{offer_id}").status_code == 404
    policy = _client(crawled, "ww.beleid", "beleidsmedewerker")
    assert policy.get("/v1/internettoezicht/aanbod").status_code == 403


def test_starting_a_crawl_from_the_web_is_for_analysts_with_valid_addresses(crawled: Crawled) -> None:
    inspector = _client(crawled, "ww.inspecteur2", "inspecteur")
    refused = inspector.post(
        "/internettoezicht/crawls", data={"thema": "helmen", "startadressen": "https://x.example/"}
    )
    assert refused.status_code == 403
    analyst = _client(crawled, "ww.analist", "analist")
    bad = analyst.post("/internettoezicht/crawls", data={"thema": "helmen", "startadressen": "ftp://x.example/"})
    assert bad.status_code == 400 and "http" in bad.text
    unknown = analyst.post("/internettoezicht/crawls", data={"thema": "asbest", "startadressen": "https://x.example/"})
    assert unknown.status_code == 400

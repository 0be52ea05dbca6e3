"""In a real browser: search by name (results as you type), open a dossier, draw a radius on the map."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.auth.demo import demo_password
from plein.core.models import Address, Establishment, Organisation
from plein.settings import Settings
from plein.web.app import create_app
from tests.serving import launch_chromium

pytestmark = pytest.mark.browser
USER = "dcmr.inspecteur"


@pytest.fixture
def server(seeded_engine: Engine, tmp_path: Path) -> Iterator[str]:
    if seeded_engine.dialect.name != "sqlite":
        pytest.skip("de browsertest draait één keer, op SQLite")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(seeded_engine, Settings(var_dir=tmp_path / "var", assets_dir=Path("node_modules").resolve()))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(100):
        if instance.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def _rotterdam_establishment(engine: Engine) -> tuple[str, float, float, str, str]:
    """A KvK-registered establishment in Rotterdam without a house number addition: visible under `toezicht`."""
    with Session(engine) as session:
        row = session.execute(
            select(Establishment.name, Address.latitude, Address.longitude, Address.postcode, Address.house_number)
            .join(Address, Address.id == Establishment.address_id)
            .join(Organisation, Organisation.id == Establishment.source_organisation_id)
            .where(Organisation.code == "KVK", Address.city == "Rotterdam", Address.house_number_addition == "")
            .order_by(Establishment.id)
            .limit(1)
        ).one()
    return row[0], row[1], row[2], row[3], row[4]


def test_search_dossier_and_map(server: str, seeded_engine: Engine) -> None:
    from playwright.sync_api import expect, sync_playwright

    name, lat, lon, postcode, number = _rotterdam_establishment(seeded_engine)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.goto(f"{server}/inloggen?volgende=/zoeken")
        page.fill("input[name=gebruikersnaam]", USER)
        page.fill("input[name=wachtwoord]", demo_password(USER, 7))
        page.keyboard.press("Enter")
        page.wait_for_url("**/zoeken**")
        word = name.split()[0]
        page.fill("#q", word[:-1] + word[-1:])  # typed: results appear without submitting
        expect(page.locator("#subjecten")).to_be_visible(timeout=10_000)
        page.locator("#subjecten a").first.click()
        expect(page.locator("#dossier-naam")).to_be_visible()
        expect(page.locator("#tijdlijn")).to_be_visible()
        page.goto(f"{server}/zoeken/kaart")
        page.fill("#breedtegraad", str(lat))
        page.fill("#lengtegraad", str(lon))
        page.fill("#straal", "500")
        page.keyboard.press("Enter")
        expect(page.locator("#kaart-status")).to_contain_text("binnen 500 m", timeout=10_000)
        assert page.locator("#kaart-resultaten tbody tr").count() >= 1
        assert page.locator("path.leaflet-interactive").count() >= 2  # the radius circle and the points
        # layers with Dutch labels, and a point's popup links to its dossier
        expect(page.locator(".leaflet-control-layers")).to_contain_text("Vestigingen met registraties")
        page.locator("path.plein-punt").first.click(force=True)
        expect(page.locator(".leaflet-popup a.plein-popup-dossier")).to_have_attribute(
            "href", re.compile(r"^/dossier/\d+\?doel=")
        )
        # clicking the map moves the centre and searches again
        page.locator("#kaart").click(position={"x": 100, "y": 100})
        expect(page.locator("#breedtegraad")).not_to_have_value(str(lat))
        # an address as centre: the establishment there is at distance 0
        page.fill("#adres", f"{postcode} {number}")
        page.fill("#straal", "50")
        page.locator("#adres").press("Enter")
        expect(page.locator("#kaart-status")).to_contain_text("binnen 50 m", timeout=10_000)
        expect(page.locator("#kaart-resultaten tbody tr").first).to_contain_text("0")
        browser.close()


def test_map_polygon_drawn_and_typed(server: str, seeded_engine: Engine) -> None:
    """An area drawn by clicking vertices, or typed as points, searches with `gebied`; a typo is named beside
    the field; Wissen resets; and nothing breaks the Content-Security-Policy."""
    from playwright.sync_api import expect, sync_playwright

    name, lat, lon, _, _ = _rotterdam_establishment(seeded_engine)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{server}/inloggen?volgende=/zoeken/kaart")
        page.fill("input[name=gebruikersnaam]", USER)
        page.fill("input[name=wachtwoord]", demo_password(USER, 7))
        page.keyboard.press("Enter")
        page.wait_for_url("**/zoeken/kaart**")
        # centre the map on the establishment (a circle search fits the view to it)
        page.fill("#breedtegraad", str(lat))
        page.fill("#lengtegraad", str(lon))
        page.fill("#straal", "500")
        page.locator("#kaart-form button[type=submit]").click()
        expect(page.locator("#kaart-status")).to_contain_text("binnen 500 m", timeout=10_000)
        box = page.locator("#kaart").bounding_box()
        assert box is not None
        cx, cy = box["width"] / 2, box["height"] / 2
        # drawn: a toggle, clicks add vertices (the field shows them), Gebied sluiten searches
        page.click("#gebied-tekenen")
        expect(page.locator("#gebied-tekenen")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#gebied-sluiten")).to_be_disabled()
        for dx, dy in ((-80, -80), (80, -80), (80, 80), (-80, 80)):
            page.locator("#kaart").click(position={"x": cx + dx, "y": cy + dy})
        expect(page.locator("#gebied")).to_have_value(re.compile(r"^(-?\d+,\d+ -?\d+,\d+; ){3}-?\d+,\d+ -?\d+,\d+$"))
        assert page.locator("path.plein-hoekpunt").count() == 4
        assert page.locator("#breedtegraad").input_value() == str(lat)  # clicks while drawing leave the centre alone
        page.click("#gebied-sluiten")
        expect(page.locator("#kaart-status")).to_contain_text("in dit gebied", timeout=10_000)
        expect(page.locator("path.plein-gebied")).to_have_count(1)
        expect(page.locator("#kaart-resultaten tbody")).to_contain_text(name)
        expect(page.locator("#gebied-tekenen")).to_have_attribute("aria-pressed", "false")
        # Wissen resets the field, the area and the results
        page.click("#gebied-wissen")
        expect(page.locator("#gebied")).to_have_value("")
        expect(page.locator("path.plein-gebied")).to_have_count(0)
        expect(page.locator("#kaart-resultaten tbody tr")).to_have_count(0)
        # typed, from the keyboard: a malformed list is named beside the field, in Dutch
        page.fill("#gebied", "52,0 4,0; 52,1 4,1")
        page.locator("#gebied").press("Enter")
        expect(page.locator("#gebied-fout")).to_contain_text("minstens drie punten")
        expect(page.locator("#gebied")).to_have_attribute("aria-invalid", "true")
        page.fill("#gebied", "52,0 4,0; noord oost; 52,1 4,1")
        page.locator("#gebied").press("Enter")
        expect(page.locator("#gebied-fout")).to_contain_text("Punt 2 (‘noord oost’) is geen ‘breedte lengte’")
        d = 0.002

        def point(a: float, b: float) -> str:
            return f"{a:.6f} {b:.6f}".replace(".", ",")

        typed = "; ".join(point(lat + a, lon + b) for a, b in ((-d, -d), (-d, d), (d, d), (d, -d)))
        page.fill("#gebied", typed)
        page.locator("#gebied").press("Enter")
        expect(page.locator("#kaart-status")).to_contain_text("in dit gebied", timeout=10_000)
        expect(page.locator("#gebied-fout")).to_be_hidden()
        expect(page.locator("#kaart-resultaten tbody")).to_contain_text(name)
        # outside the Netherlands the server's Dutch message comes back beside the field
        page.fill("#gebied", "10 10; 10 11; 11 11")
        page.locator("#gebied").press("Enter")
        expect(page.locator("#gebied-fout")).to_be_visible(timeout=10_000)
        assert refused == []
        browser.close()

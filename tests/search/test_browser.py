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


def test_search_dossier_and_map(server: str, seeded_engine: Engine) -> None:
    from playwright.sync_api import expect, sync_playwright

    with Session(seeded_engine) as session:  # a KvK-registered establishment: visible under `toezicht`
        name, lat, lon, postcode, number = session.execute(
            select(Establishment.name, Address.latitude, Address.longitude, Address.postcode, Address.house_number)
            .join(Address, Address.id == Establishment.address_id)
            .join(Organisation, Organisation.id == Establishment.source_organisation_id)
            .where(Organisation.code == "KVK", Address.city == "Rotterdam", Address.house_number_addition == "")
            .order_by(Establishment.id)
            .limit(1)
        ).one()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
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

"""In a real browser (Debian chromium via Playwright): two users of different organisations, same page,
different results, and neither can open the other's record."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from plein.settings import Settings
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade
from plein.web.app import create_app
from tests.access.world import PASSWORD, World, build_world
from tests.serving import launch_chromium, running

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and os.environ.get("CI", "").lower() not in ("1", "true", "yes"),
        reason="Debian chromium is not installed (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    directory = tmp_path_factory.mktemp("browser")
    engine = create_engine_for(f"sqlite:///{directory / 'browser.db'}")
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session, with_passwords=("a.analist", "b.analist"))
        session.commit()
    app = create_app(engine, Settings(var_dir=Path(directory / "var"), assets_dir=Path("node_modules")))
    with running(app) as base:
        yield base, world
    engine.dispose()


def _launch(pw: Any) -> Any:
    """Headless Debian chromium."""
    return pw.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
    )


def test_two_organisations_see_different_records_on_the_same_page(server: tuple[str, World]) -> None:
    from playwright.sync_api import sync_playwright

    base, world = server
    seen: dict[str, tuple[str, set[str]]] = {}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for username in ("a.analist", "b.analist"):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/registraties")
                assert "/inloggen" in page.url  # not logged in: sent to the login page first
                page.fill("#gebruikersnaam", username)
                page.fill("#wachtwoord", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/registraties*")
                count = page.inner_text("#aantal-registraties")
                sources = set(page.locator("#registraties tbody tr td:nth-child(5)").all_inner_texts())
                links = page.locator("#registraties tbody a").evaluate_all("els => els.map(e => e.href)")
                seen[username] = (count, sources)
                assert page.inner_text("#ingelogd-als").startswith(username)
                other = "ODB" if username == "a.analist" else "ODA"
                other_id = world.records[f"{other}-intern"]
                response = page.goto(f"{base}/registraties/{other_id}")
                assert response is not None and response.status == 404
                assert "bestaat niet of is voor u niet toegankelijk" in page.content()
                assert links  # own records are listed and link to their detail page
                response = page.goto(links[0])
                assert response is not None and response.status == 200
                context.close()
        finally:
            browser.close()
    assert seen["a.analist"][1] == {"ODA"}
    assert seen["b.analist"][1] == {"ODB"}
    assert seen["a.analist"][0].startswith("2 ") and seen["b.analist"][0].startswith("2 ")


def test_pages_work_under_the_content_security_policy(server: tuple[str, World]) -> None:
    """htmx search-as-you-type and the Leaflet map run with no inline script or style allowed."""
    from playwright.sync_api import sync_playwright

    base, _world = server
    violations: list[str] = []
    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_context().new_page()
            page.on(
                "console",
                lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
            )
            page.goto(f"{base}/inloggen")
            page.fill("#gebruikersnaam", "a.analist")
            page.fill("#wachtwoord", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/zoeken")
            with page.expect_response(lambda response: "/zoeken/resultaten" in response.url) as answer:
                page.fill("#q", "Bedrijf")
            assert answer.value.status == 200  # htmx sent the search as you type
            page.goto(f"{base}/zoeken/kaart")
            page.wait_for_selector("#kaart.leaflet-container")
            height = page.eval_on_selector("#kaart", "el => el.getBoundingClientRect().height")
            assert height > 300  # the map's height comes from plein.css, not an inline style
        finally:
            browser.close()
    assert not violations, violations

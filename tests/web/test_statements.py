"""The accessibility and privacy statements and the contact page: public, linked from every page's
footer (the login page too), and the privacy statement lists this installation's register."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plein.policy.models import ProcessingActivity
from plein.settings import Settings
from plein.web.app import create_app

STATEMENTS = ("/toegankelijkheidsverklaring", "/privacyverklaring", "/contact")


def test_statements_are_public_and_in_the_footer_of_the_login_page(engine: Engine, settings: Settings) -> None:
    with TestClient(create_app(engine, settings)) as anonymous:
        login = anonymous.get("/inloggen")
        assert login.status_code == 200
        footer = login.text.split("<footer", 1)[1]
        for path in (*STATEMENTS, "/aan-de-slag"):
            if path != "/aan-de-slag":
                assert f'href="{path}"' in footer, path
            page = anonymous.get(path, follow_redirects=False)
            assert page.status_code == 200, path
            assert page.headers["content-type"].startswith("text/html")
            assert '<html lang="nl">' in page.text
        assert 'id="demo-banner"' not in login.text  # an empty database is no demo world


def test_demo_world_shows_banner_first_steps_and_a_first_dossier_with_records(seeded_client: TestClient) -> None:
    home = seeded_client.get("/")
    assert home.status_code == 200
    assert 'id="demo-banner"' in home.text and "DEMO" in home.text
    assert 'href="/aan-de-slag"' in home.text
    found = re.search(r'href="/dossier/(\d+)" id="eerste-dossier"', home.text)
    assert found, "the start page links to a first dossier"
    dossier = seeded_client.get(f"/dossier/{found.group(1)}")
    assert dossier.status_code == 200
    assert "/registraties/" in dossier.text  # the dossier lists records, each linking to its page
    start = seeded_client.get("/aan-de-slag").text
    for term in ("Doel", "Rubricering", "Matchgewicht"):
        assert f"<dt>{term}</dt>" in start


def test_purpose_selector_explains_doel(seeded_client: TestClient) -> None:
    page = seeded_client.get("/registraties").text
    assert 'aria-describedby="doel-uitleg"' in page and 'id="doel-uitleg"' in page


def test_accessibility_statement_names_the_norm_and_how_it_is_tested(client: TestClient) -> None:
    text = client.get("/toegankelijkheidsverklaring").text
    assert "WCAG" in text and "2.1" in text and "AA" in text
    assert "axe-core" in text


def test_privacy_statement_lists_the_active_register(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        activities = session.query(ProcessingActivity).all()
        assert activities  # the access migration seeds the register
        hidden = activities[0]
        hidden.active = False
        shown = [a.name for a in activities[1:] if a.active]
        session.commit()
        hidden_name = hidden.name
    text = html.unescape(client.get("/privacyverklaring").text)  # names may hold an apostrophe (escaped)
    for name in shown:
        assert name in text, name
    assert hidden_name not in text  # an activity no longer in force is not claimed
    assert "artikel 30 AVG" in text

"""The accessibility and privacy statements and the contact page: public, linked from every page's
footer (the login page too), and the privacy statement lists this installation's register."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plein.policy.models import ProcessingActivity

STATEMENTS = ("/toegankelijkheidsverklaring", "/privacyverklaring", "/contact")


def test_statements_are_public_and_in_the_footer_of_the_login_page(client: TestClient) -> None:
    login = client.get("/inloggen")
    assert login.status_code == 200
    footer = login.text.split("<footer", 1)[1]
    for path in STATEMENTS:
        assert f'href="{path}"' in footer, path
        page = client.get(path, follow_redirects=False)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="nl">' in page.text


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
    text = client.get("/privacyverklaring").text
    for name in shown:
        assert name in text, name
    assert hidden_name not in text  # an activity no longer in force is not claimed
    assert "artikel 30 AVG" in text

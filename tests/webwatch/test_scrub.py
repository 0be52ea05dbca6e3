"""Scrubbing personal data from Dutch free text, leaving business identifiers alone."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from plein.cli import app
from plein.webwatch.scrub import Scrubber, default_scrubber, pseudonym


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return default_scrubber()


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("Bel gerust 06-12345678 voor info", "06-12345678", "PHONE_NUMBER"),
        ("app me op +31 6 1234 5678!", "+31 6 1234 5678", "PHONE_NUMBER"),
        ("vast nummer 030-1234567", "030-1234567", "PHONE_NUMBER"),
        ("mail naar kees.bakker@hotmail.com graag", "kees.bakker@hotmail.com", "EMAIL_ADDRESS"),
        ("Betalen op NL91ABNA0417164300 aub", "NL91ABNA0417164300", "IBAN_CODE"),
        ("mijn bsn 111222333 staat erop", "111222333", "BSN"),
        ("Ophalen aan de Kerkstraat 12a in Zwolle", "Kerkstraat 12a", "ADDRESS"),
        ("postcode 1234 AB Utrecht", "1234 AB", "POSTCODE"),
        ("Groeten, Kees Bakker", "Kees Bakker", "PERSON"),
        ("Sander de Boer verkoopt zijn step", "Sander de Boer", "PERSON"),
        ("t.n.v. J. de Vries", "J. de Vries", "PERSON"),
        ("Vraag naar Piet.", "Piet", "PERSON"),
    ],
)
def test_personal_data_is_found_and_removed(scrubber: Scrubber, text: str, secret: str, kind: str) -> None:
    result = scrubber.scrub(text)
    assert secret not in result.text
    assert kind in {f.entity_type for f in result.findings}
    found = next(f for f in result.findings if f.entity_type == kind)
    assert text[found.start : found.end] == secret


@pytest.mark.parametrize(
    "text",
    [
        "Koeltechniek Jansen B.V., KvK 12345678, btw NL000099998B57",
        "EAN 8712345678906, artikelnummer TH-45-ZW, prijs € 1.299,00",
        "Max snelheid 45 km/u, motor 1200W, Volt X en Thunder modellen",
        "Gekeurd volgens ECE 22.06, certificaatnummer K12345/01",
        "ordernummer 123456789 is geen bsn (elfproef klopt niet)",
    ],
)
def test_business_identifiers_and_product_text_stay(scrubber: Scrubber, text: str) -> None:
    result = scrubber.scrub(text)
    assert result.text == text, result.findings


def test_offsets_point_into_the_original(scrubber: Scrubber) -> None:
    text = "Te koop. Bel 0612345678 of mail piet@ziggo.nl. Groeten, Piet Jansen"
    result = scrubber.scrub(text)
    assert [text[f.start : f.end] for f in result.findings] == ["0612345678", "piet@ziggo.nl", "Piet Jansen"]
    assert result.text == "Te koop. Bel [TELEFOON] of mail [E-MAIL]. Groeten, [NAAM]"


def test_pseudonym_is_stable_keyed_and_not_the_value() -> None:
    first = pseudonym("sleutel-1", "email", "Kees@Hotmail.com ")
    assert first == pseudonym("sleutel-1", "email", "kees@hotmail.com")
    assert first != pseudonym("sleutel-2", "email", "kees@hotmail.com")
    assert first != pseudonym("sleutel-1", "telefoon", "kees@hotmail.com")
    assert "kees" not in first and first.startswith("PS-")


def test_cli_scrub_reads_stdin_and_prints_findings() -> None:
    result = CliRunner().invoke(app, ["webwatch", "scrub"], input="Bel 06-12345678, groeten Jan de Vries\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"].startswith("Bel [TELEFOON], groeten [NAAM]")
    assert [(f["type"], f["start"], f["end"]) for f in data["findings"]] == [
        ("PHONE_NUMBER", 4, 15),
        ("PERSON", 25, 37),
    ]

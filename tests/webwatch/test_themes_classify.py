"""Themes as data (shipped, overridden by an analyst, validated) and the rules + model classifier."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from plein.errors import ValidationError
from plein.webwatch.classify import OfferText, TextModel, classify
from plein.webwatch.themes import export_theme, get_theme, load_themes, parse_theme


def test_the_four_themes_are_shipped() -> None:
    assert set(load_themes()) == {"f-gassen", "e-steps", "helmen", "vloeistofdichte-vloeren"}


def test_an_analyst_edits_a_theme_by_exporting_it(tmp_path: Path) -> None:
    path = export_theme("helmen")
    assert path.is_relative_to(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: Helmen", "name: Helmen (aangepast)"), encoding="utf-8"
    )
    assert get_theme("helmen").name == "Helmen (aangepast)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "x y", "name": "X", "rules": [{}], "relevance": ["a"]}, "themacode"),
        ({"code": "xx", "name": "X", "relevance": ["a"]}, "'rules'"),
        ({"code": "xx", "name": "X", "rules": [{"kind": "raar"}], "relevance": ["a"]}, "onbekende soort"),
        ({"code": "xx", "name": "X", "rules": [{"patterns": ["(("]}], "relevance": ["a"]}, "ongeldige expressie"),
        ({"code": "xx", "name": "X", "rules": [{"patterns": ["a"], "weight": 3}], "relevance": ["a"]}, "tussen 0 en 1"),
    ],
)
def test_bad_themes_give_one_clear_message(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_theme(data, "thema.yaml")


def test_unknown_theme_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="f-gassen"):
        get_theme("asbest")


def test_rules_give_reasons_a_person_can_check() -> None:
    theme = get_theme("e-steps")
    verdict = classify(theme, OfferText("E-step Blitz", "Motor 800W, topsnelheid 45 km/u. Kentekenvrij!"))
    assert verdict.likely_violation
    assert set(verdict.rules_hit) >= {"snelheid_boven_25", "vermogen_boven_250w", "kentekenvrij_claim"}
    assert all(reason.startswith("regel ") for reason in verdict.reasons)
    legal = classify(theme, OfferText("E-step City", "Motor 250W, 25 km/u, met RDW-typegoedkeuring."))
    assert not legal.likely_violation and legal.rules_hit == []


def test_price_and_seller_rules() -> None:
    theme = get_theme("f-gassen")
    text = "R32 cilinder 9 kg, navulbaar. Alleen voor STEK-gecertificeerde installateurs."
    assert not classify(theme, OfferText("R32", text, Decimal("150"), "bedrijf")).likely_violation
    cheap_private = classify(theme, OfferText("R32", text, Decimal("19.95"), "particulier"))
    assert {"particuliere_verkoop", "prijs_onder_markt"} <= set(cheap_private.rules_hit)


def test_the_text_model_adds_what_rules_miss() -> None:
    theme = get_theme("helmen")
    texts = [("Helm, bedoeld als verzamelobject, niet voor op straat. Gekeurd volgens ECE 22.06", True)] * 6 + [
        ("Helm, lichtgewicht, mat zwart. Gekeurd volgens ECE 22.06", False)
    ] * 6
    model = TextModel.train([t for t, _ in texts], [label for _, label in texts])
    offer = OfferText("Helm", "Helm als verzamelobject, niet voor op straat. Keurmerk ECE 22.06")
    assert classify(theme, offer).likely_violation is False
    verdict = classify(theme, offer, model)
    assert verdict.likely_violation and verdict.model_score is not None
    assert any(reason.startswith("tekstmodel") and "verzamelobject" in reason for reason in verdict.reasons)
    assert TextModel.train(["a", "b"], [True, True]).probability("a") is None

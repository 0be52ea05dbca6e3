"""Extraction on hand-made pages shaped like real shops (not like the demo templates), and on bad input."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plein.cli import app
from plein.webwatch.extract import extract_page, find_kvk, find_vat, normalise_gtin, parse_price

PAGES = Path(__file__).parent / "pages"


def only(name: str, url: str = "https://shop.example/p/1") -> dict[str, object]:
    result = extract_page((PAGES / name).read_bytes(), url)
    assert len(result.offers) == 1, result
    return result.offers[0].as_json()


def test_bol_like_json_ld_with_marketplace_seller_block() -> None:
    offer = only("bol_like.html")
    assert offer["title"] == "Koelmiddel R32 cilinder 9 kg"
    assert offer["price"] == 189.99 and offer["currency"] == "EUR"
    assert offer["gtin"] == "8712345678906" and offer["sku"] == "9300000123456789"
    assert offer["brand"] == "CoolGas" and offer["availability"] == "InStock"
    assert offer["seller"] == "Koeltechniek Jansen" and offer["seller_type"] == "bedrijf"
    assert offer["seller_kvk"] == "12345678"
    assert offer["category"] == "Klussen > Airco"
    assert offer["image_urls"][0].startswith("https://media.s-bol.com/")


def test_marketplace_without_markup_private_seller() -> None:
    offer = only("marktplaats_like.html")
    assert offer["title"] == "Fles R410a koudemiddel 11,3 kg"
    assert offer["price"] == 85.0 and offer["currency"] == "EUR"
    assert offer["seller"] == "Kees" and offer["seller_type"] == "particulier"
    assert "wegwerpfles" in str(offer["description"])
    assert offer["brand"] == "Chemours"
    assert offer["category"] == "Doe-het-zelf en Verbouw > Koelen"


def test_shopify_product_group_takes_cheapest_variant() -> None:
    offer = only("shopify_like.html")
    assert offer["price"] == 1299.0
    assert offer["sku"] == "TH-45-ZW" and offer["gtin"] == "5901234123457"
    assert offer["brand"] == "Thunder"
    assert offer["seller"] == "SpeedyScoot" and offer["seller_kvk"] == "87654321"
    assert offer["image_urls"] == ["https://speedyscoot.nl/cdn/shop/files/thunder.jpg"]


def test_woocommerce_graph_and_sale_price() -> None:
    offer = only("woocommerce_like.html")
    assert offer["title"] == "Fietshelm Urban Pro"
    assert offer["price"] == 39.95, "the sale price, not the struck-out one"
    assert offer["sku"] == "UP-01" and offer["seller"] == "Helmenwinkel"
    assert offer["seller_kvk"] == "11223344"


def test_magento_microdata_and_spec_table() -> None:
    offer = only("magento_like.html")
    assert offer["price"] == 249.0 and offer["currency"] == "EUR"
    assert offer["sku"] == "VD-500" and offer["brand"] == "FloorSeal"
    assert offer["gtin"] == "4006381333931"
    assert "Vloeren" in str(offer["category"])


def test_plain_html_shop_heuristics() -> None:
    offer = only("plain_shop.html")
    assert offer["title"] == "Helm X-Race mat zwart"
    assert offer["price"] == 24.95
    assert offer["sku"] == "XR-2201" and offer["brand"] == "X-Race"
    assert offer["seller_kvk"] == "55667788"
    assert offer["image_urls"] == ["https://shop.example/img/xrace.jpg"]


def test_listing_page_with_structured_items_gives_one_offer_each() -> None:
    items = [
        {
            "@type": "ListItem",
            "position": i,
            "item": {
                "@type": "Product",
                "name": f"Helm {i}",
                "url": f"/helm-{i}",
                "offers": {"@type": "Offer", "price": 20 + i},
            },
        }
        for i in range(3)
    ]
    html = (
        '<html><head><script type="application/ld+json">'
        + json.dumps({"@context": "https://schema.org", "@type": "ItemList", "itemListElement": items})
        + "</script></head><body><h1>Helmen</h1></body></html>"
    )
    result = extract_page(html, "https://shop.example/helmen")
    assert [o.title for o in result.offers] == ["Helm 0", "Helm 1", "Helm 2"]
    assert result.offers[1].url == "https://shop.example/helm-1"
    assert result.offers[2].price == Decimal("22.00")


def test_listing_without_markup_is_not_taken_for_one_product() -> None:
    cards = "".join(
        f'<li class="card"><a href="/p/{i}">Fles R32 nummer {i}</a> <span>€ {i}9,95</span></li>' for i in range(1, 5)
    )
    html = f"<html><body><h1>Zoekresultaten</h1><ul>{cards}</ul></body></html>"
    assert extract_page(html, "https://shop.example/zoeken?q=r32").offers == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (bytes(range(256)) * 20, "binaire inhoud"),
        (b"", "lege pagina"),
        ("<h1>Helm é</h1><p>Prijs € 12,50</p><button>Bestel nu</button>".encode("cp1252"), None),
        (b"<html><body><h1>Fles <b>R32</h1><p>prijs: \xe2\x82\xac 5,00<td></html></html><<<>>", None),
        (b'<script type="application/ld+json">{"@type": "Product", "name": "X",}</script>', None),
    ],
)
def test_bad_input_never_raises(body: bytes, problem: str | None) -> None:
    result = extract_page(body, "https://shop.example/x")
    if problem:
        assert any(problem in p for p in result.problems)


def test_other_encoding_is_decoded() -> None:
    html = '<meta charset="windows-1252"><h1>Helm één</h1><p>Prijs € 12,50</p><button>Bestel nu</button>'
    offer = extract_page(html.encode("cp1252"), "https://shop.example/x").offers[0]
    assert offer.title == "Helm één" and offer.price == Decimal("12.50")


@pytest.mark.slow
def test_huge_page_is_cut_not_crashed() -> None:
    html = b"<html><body><h1>Groot</h1>" + b"<p>vulling</p>" * 400_000 + b"</body></html>"
    result = extract_page(html, "https://shop.example/groot")
    assert any("te groot" in p for p in result.problems)


def test_identifier_helpers() -> None:
    assert parse_price("€ 1.299,-") == (Decimal("1299.00"), "EUR")
    assert parse_price(12.5)[0] == Decimal("12.50")
    assert normalise_gtin("8712345678906") == "8712345678906"
    assert normalise_gtin("8712345678907") == "", "wrong check digit"
    assert find_kvk("KvK-nummer: 12 34 56 78") == "12345678"
    assert find_kvk("bel 0612345678") == ""
    assert find_vat("btw NL862233445B01") == ""  # invalid checksum
    assert find_vat("BTW-id NL000099998B57") == "NL000099998B57"


def test_cli_extract_prints_offers_as_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["webwatch", "extract", str(PAGES / "bol_like.html"), "--url", "https://www.bol.com/nl/p/x/1/"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    offer = data["offers"][0]
    assert {"title", "price", "currency", "brand", "gtin", "sku", "availability", "seller"} <= offer.keys()
    assert offer["url"] == "https://www.bol.com/nl/p/x/1/" and offer["platform"] == "bol.com"


def test_cli_extract_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["webwatch", "extract", str(tmp_path / "nope.html")])
    assert result.exit_code != 0
    assert "bestaat niet" in str(result.exception) or "bestaat niet" in result.output


@pytest.mark.parametrize(
    ("price_html", "expected"),
    [
        ('<span class="promo-price">189<sup>99</sup></span>', Decimal("189.99")),
        ('<span class="price">€ 1.189,<sup>-</sup></span>', Decimal("1189.00")),
        ('<span class="price"><span>€</span><span>24</span>,<span>95</span></span>', Decimal("24.95")),
        ('<p class="price"><del>€ 49,95</del> <ins>€ 39,95</ins></p>', Decimal("39.95")),
        ('<span data-price="12.50">twaalf euro vijftig</span>', Decimal("12.50")),
    ],
)
def test_price_markup_variants(price_html: str, expected: Decimal) -> None:
    html = f"<html><body><h1>Airco gas R32</h1>{price_html}<button>In winkelwagen</button></body></html>"
    assert extract_page(html, "https://shop.example/p").offers[0].price == expected


def test_plain_page_description_is_the_text_under_the_heading() -> None:
    assert "Integraalhelm voor scooter" in str(only("plain_shop.html")["description"])


def test_title_without_site_name_and_availability_from_text() -> None:
    html = (
        '<html><head><title>Helm X-Race | Scootershop</title></head><body><p class="price">€ 12,50</p>'
        "<p>Niet op voorraad</p><button>In winkelwagen</button></body></html>"
    )
    offer = extract_page(html, "https://shop.example/helm").offers[0]
    assert (offer.title, offer.price, offer.availability) == ("Helm X-Race", Decimal("12.50"), "OutOfStock")

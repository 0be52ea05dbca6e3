"""The demo webshops sell as companies of the demo world, so that a crawl's offers reach dossiers."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.core.models import LegalEntity
from plein.demo.webshops.catalog import SELLERS_NEEDED, SHOP_SELLERS, build_catalog
from plein.demo.webshops.pages import home, product_page
from plein.demo.webshops.sellers import demo_world_sellers


def test_demo_world_sellers_are_its_companies(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        sellers = demo_world_sellers(session)
        assert len(sellers) == SELLERS_NEEDED
        for name, kvk in sellers:
            assert session.scalar(select(LegalEntity.name).where(LegalEntity.kvk == kvk)) == name


def test_catalog_and_pages_use_the_given_sellers() -> None:
    sellers = [(f"Bedrijf {i} B.V.", f"9000000{i}") for i in range(SELLERS_NEEDED)]
    offers = build_catalog(seed=3, scale=1, sellers=sellers)
    business = {(o.seller, o.seller_kvk) for o in offers if o.seller_type == "bedrijf"}
    assert business <= set(sellers) and len(business) == SELLERS_NEEDED
    assert not business & set(SHOP_SELLERS.values())
    shop_offer = next(o for o in offers if o.site == "koelshop")
    assert "KvK 90000000" in product_page("koelshop", shop_offer)
    assert "Bedrijf 0 B.V." in home("koelshop", [shop_offer], sellers[0])
    # the same seed gives the same offers, whoever sells them
    plain = build_catalog(seed=3, scale=1)
    assert [(o.site, o.title, o.price) for o in plain] == [(o.site, o.title, o.price) for o in offers]
    with pytest.raises(ValueError, match="verkopers nodig"):
        build_catalog(seed=3, scale=1, sellers=sellers[:2])

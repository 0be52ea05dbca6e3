"""HTML of the four demo sites, each marked up the way real shops differ: JSON-LD, microdata, plain HTML
in windows-1252, and a marketplace with free-text ads."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

from plein.demo.webshops.catalog import SHOP_SELLERS, SITES, DemoOffer

THEME_NAMES = {
    "f-gassen": "Koudemiddelen",
    "e-steps": "E-steps",
    "helmen": "Helmen",
    "vloeistofdichte-vloeren": "Vloeistofdichte vloeren",
}
PAGE_SIZE = 6
HIDDEN_LINKS = {
    "koelshop": ["/account/login", "/winkelwagen"],
    "stepwinkel": ["/intern/prijslijst"],
    "bouwshop": ["/beheer/voorraad"],
    "tweedehands": ["/mijn/berichten"],
}
BAD_LINKS = [
    "/kapot/html",
    "/kapot/groot",
    "/kapot/binair",
    "/kapot/lus",
    "/eindeloos?pagina=1",
    "/kapot/500",
    "/kapot/traag",
    "/kapot/latin1",
    "/advertentie/verdwenen",
]


def euro(amount: float) -> str:
    """``€ 1.299,00`` as Dutch shops write prices."""
    whole, cents = f"{amount:,.2f}".split(".")
    return f"€ {whole.replace(',', '.')},{cents}"


Operator = tuple[str, str]  # a shop's operator: name and KvK number, shown in its footer


def layout(
    site: str, title: str, body: str, head: str = "", charset: str = "utf-8", operator: Operator | None = None
) -> str:
    themes = sorted({t for t in THEME_NAMES})
    nav = " | ".join(f'<a href="/categorie/{t}">{THEME_NAMES[t]}</a>' for t in themes)
    hidden = " ".join(f'<a href="{link}">{link.strip("/").split("/")[0]}</a>' for link in HIDDEN_LINKS[site])
    bad = ""
    if site == "tweedehands":
        bad = (
            "<div class='meer'>"
            + " ".join(f'<a href="{link}">meer {i}</a>' for i, link in enumerate(BAD_LINKS))
            + "</div>"
        )
    footer = ""
    operator = operator or SHOP_SELLERS.get(site)
    if operator:
        name, kvk = operator
        footer = f"<p>{escape(name)} · KvK {kvk}</p>"
    return (
        f'<!DOCTYPE html><html lang="nl"><head><meta charset="{charset}"><title>{escape(title)}</title>{head}</head>'
        f'<body><header><a href="/">{site}</a> <nav>{nav}</nav>'
        f'<form action="/zoeken"><input name="q"></form> {hidden}</header>'
        f"<main>{body}</main><footer>{footer}{bad}</footer></body></html>"
    )


def listing(
    site: str, title: str, offers: list[DemoOffer], page: int, base: str, operator: Operator | None = None
) -> str:
    start = (page - 1) * PAGE_SIZE
    shown = offers[start : start + PAGE_SIZE]
    items = "".join(
        f'<li class="product-card"><a href="{o.path}">{escape(o.title)}</a> '
        f'<span class="prijs">{euro(o.price)}</span></li>'
        for o in shown
    )
    nav = ""
    if start + PAGE_SIZE < len(offers):
        sep = "&" if "?" in base else "?"
        nav = f'<a rel="next" class="volgende" href="{base}{sep}pagina={page + 1}">Volgende</a>'
    if not shown:
        items = "<li>Geen resultaten.</li>"
    return layout(site, f"{title} - pagina {page}", f"<h1>{escape(title)}</h1><ul>{items}</ul>{nav}", operator=operator)


def product_page(site: str, offer: DemoOffer) -> str:
    if site == "koelshop":
        return _json_ld_page(offer)
    if site == "stepwinkel":
        return _microdata_page(offer)
    if site == "bouwshop":
        return _plain_page(offer)
    return _marketplace_page(offer)


def _json_ld_page(offer: DemoOffer) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": offer.title,
        "description": offer.description,
        "sku": offer.sku,
        "gtin13": offer.gtin,
        "brand": {"@type": "Brand", "name": offer.brand},
        "image": f"/img/{offer.id}.jpg",
        "offers": {
            "@type": "Offer",
            "price": f"{offer.price:.2f}",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "seller": {"@type": "Organization", "name": offer.seller},
        },
    }
    head = f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
    body = (
        f'<h1>{escape(offer.title)}</h1><div class="price">{euro(offer.price)}</div>'
        f'<div class="description">{escape(offer.description)}</div><button>In winkelwagen</button>'
    )
    return layout("koelshop", offer.title, body, head, operator=(offer.seller, offer.seller_kvk))


def _microdata_page(offer: DemoOffer) -> str:
    body = (
        f'<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">{escape(offer.title)}</h1>'
        f'<img itemprop="image" src="/img/{offer.id}.jpg" alt="">'
        f'<div itemprop="brand" itemscope itemtype="https://schema.org/Brand">'
        f'<span itemprop="name">{escape(offer.brand)}'
        f'</span></div><meta itemprop="gtin13" content="{offer.gtin}"><span itemprop="sku">{offer.sku}</span>'
        f'<p itemprop="description">{escape(offer.description)}</p>'
        f'<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">'
        f'<span class="prijs">{euro(offer.price)}</span><meta itemprop="price" content="{offer.price:.2f}">'
        f'<meta itemprop="priceCurrency" content="EUR"><link itemprop="availability" href="https://schema.org/InStock">'
        f"</div></div><button>Bestellen</button>"
    )
    return layout("stepwinkel", offer.title, body, operator=(offer.seller, offer.seller_kvk))


def _plain_page(offer: DemoOffer) -> str:
    body = (
        f"<h1>{escape(offer.title)}</h1><p>Prijs: <b>{euro(offer.price)}</b> incl. btw</p>"
        f"<p>{escape(offer.description)}</p>"
        f"<table><tr><td>Merk</td><td>{escape(offer.brand)}</td></tr><tr><td>EAN</td><td>{offer.gtin}</td></tr>"
        f"<tr><td>Artikelnummer</td><td>{offer.sku}</td></tr></table>"
        f'<form action="/bestel"><input type="submit" value="Bestel nu"></form>'
    )
    return layout("bouwshop", offer.title, body, charset="windows-1252", operator=(offer.seller, offer.seller_kvk))


def _marketplace_page(offer: DemoOffer) -> str:
    head = (
        f'<meta property="og:title" content="{escape(offer.title)}">'
        f'<meta property="og:site_name" content="Tweedehands">'
    )
    if offer.seller_type == "particulier":
        seller = (
            f'<div class="verkoper"><span class="naam">{escape(offer.seller)}</span> '
            f"<span>Particulier</span> <span>Lid sinds 2019</span></div>"
        )
    else:
        seller = (
            f'<div class="verkoper"><span class="naam">{escape(offer.seller)}</span> '
            f"<span>Zakelijke verkoper</span> <span>KvK {offer.seller_kvk}</span></div>"
        )
    body = (
        f"<h1>{escape(offer.title)}</h1><div class='prijs'>{euro(offer.price)}</div>"
        f"<div class='omschrijving'>{escape(offer.description)}</div>{seller}"
        f"<a href='/mijn/berichten?ad={quote(offer.id)}'>Bericht sturen</a>"
    )
    return layout("tweedehands", offer.title, body, head)


def home(site: str, offers: list[DemoOffer], operator: Operator | None = None) -> str:
    themes = sorted({o.theme for o in offers})
    links = "".join(f'<li><a href="/categorie/{t}">{THEME_NAMES[t]}</a></li>' for t in themes)
    return layout(site, f"{site} - {SITES[site]}", f"<h1>Welkom bij {site}</h1><ul>{links}</ul>", operator=operator)

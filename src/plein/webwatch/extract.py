"""Offers from one web page: structured data first (JSON-LD, microdata, OpenGraph), then heuristics.

Built for pages written by anyone: schema.org Product/Offer nodes are found wherever they sit
(``@graph``, ``ItemList``, ``ProductGroup``, nested ``mainEntity``), and fields that the markup lacks
are filled from the page itself (h1, meta tags, spec tables, "Verkoper"/"Sold by" blocks, KvK and VAT
patterns, GTIN checked with stdnum's EAN check digit). A page with one main product gives one offer;
a listing with structured items gives one offer per item.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct
from lxml import etree
from lxml import html as lxml_html
from price_parser import Price
from stdnum import ean
from stdnum.nl import btw
from w3lib.encoding import html_to_unicode

MAX_HTML_CHARS = 3_000_000
CURRENCY_SYMBOLS = {"€": "EUR", "eur": "EUR", "euro": "EUR", "$": "USD", "us$": "USD", "£": "GBP", "chf": "CHF"}
KVK_RE = re.compile(
    r"(?:KvK|K\.v\.K\.?|Kamer van Koophandel|CoC|Chamber of Commerce|Handelsregister)"
    r"(?:[\s-]*(?:nummer|nr\.?|number|no\.?))?\s*[:.#]?\s*(\d{2}[\s.]?\d{2}[\s.]?\d{2}[\s.]?\d{2})(?!\d)",
    re.IGNORECASE,
)
VAT_RE = re.compile(r"\b(NL)[\s.]?(\d{9})[\s.]?(B)[\s.]?(\d{2})\b", re.IGNORECASE)
GTIN_LABEL_RE = re.compile(
    r"\b(?:EAN(?:[-\s]?(?:13|code))?|GTIN(?:[-\s]?1[234]|8)?|UPC|Barcode|Streepjescode)\s*[:#]?\s*(\d[\d\s]{6,16}\d)",
    re.IGNORECASE,
)
SKU_LABEL_RE = re.compile(
    r"\b(?:SKU|Artikelnummer|Artikelnr\.?|Art\.?\s?nr\.?|Productcode|Item\s?(?:number|no\.?)|Part\s?number)"
    r"\s*[:#]?\s*([A-Z0-9][A-Z0-9._/-]{2,40})",
    re.IGNORECASE,
)
SELLER_LABELS = (
    "verkocht door",
    "verkoper",
    "aanbieder",
    "adverteerder",
    "sold by",
    "seller",
    "sold and shipped by",
    "verkoop door",
    "geleverd door",
    "vendor",
)
SPEC_LABELS = {
    "brand": ("merk", "brand", "fabrikant", "manufacturer"),
    "model": ("model", "modelnummer", "typenummer", "type", "modelnaam"),
    "sku": ("sku", "artikelnummer", "artikelnr", "art.nr", "productcode", "item number", "part number"),
    "gtin": ("ean", "gtin", "ean-code", "ean code", "barcode", "upc", "ean13", "gtin13"),
    "mpn": ("mpn", "fabrikantcode", "fabrikantnummer", "manufacturer part number"),
}
PRIVATE_HINTS = ("particulier", "particuliere verkoper", "private seller", "privé", "prive verkoper")
BUSINESS_HINTS = ("zakelijke verkoper", "zakelijk", "professional seller", "business seller", "bedrijf")
PRICE_CLASS_RE = re.compile(r"price|prijs|amount|bedrag|cost", re.IGNORECASE)
PRICE_TEXT_RE = re.compile(
    r"(?:€|EUR|eur)\s?\d{1,3}(?:[.\s]?\d{3})*(?:[.,]\d{1,2}|,-)?|\d{1,3}(?:[.\s]?\d{3})*(?:[.,]\d{2}|,-)\s?(?:€|EUR|euro)",
)
OLD_PRICE_RE = re.compile(r"old|was|strike|before|van-?prijs|regular|compare|list-?price|msrp", re.IGNORECASE)
LOWER_CLASS = "translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
LOWER_ID = "translate(@id,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
SCHEMA_PREFIX = re.compile(r"^https?://schema\.org/", re.IGNORECASE)


@dataclass
class ExtractedOffer:
    """One offer as read from a page; every field optional except the URL."""

    url: str
    title: str = ""
    description: str = ""
    price: Decimal | None = None
    currency: str = ""
    gtin: str = ""
    sku: str = ""
    mpn: str = ""
    brand: str = ""
    model: str = ""
    availability: str = ""
    condition: str = ""
    category: str = ""
    seller: str = ""
    seller_type: str = "onbekend"  # bedrijf | particulier | onbekend
    seller_kvk: str = ""
    seller_vat: str = ""
    seller_url: str = ""
    seller_text: str = ""
    platform: str = ""
    image_urls: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict: the price as a number, empty fields kept so consumers see every key."""
        data = asdict(self)
        data["price"] = float(self.price) if self.price is not None else None
        return data


@dataclass
class PageExtraction:
    """What one page yielded: offers, links worth following, and problems met while reading it."""

    url: str
    offers: list[ExtractedOffer]
    problems: list[str] = field(default_factory=list)
    title: str = ""


# ---------------------------------------------------------------------------------------- decoding


def decode_html(body: bytes | str, content_type: str = "") -> tuple[str, list[str]]:
    """Text of a page in whatever encoding it declares (header, BOM, meta), with problems noted."""
    problems: list[str] = []
    if isinstance(body, str):
        text = body
    else:
        if looks_binary(body):
            return "", ["binaire inhoud in plaats van HTML"]
        encoding, text = html_to_unicode(content_type or None, body)
        if encoding and encoding.lower().replace("-", "") not in ("utf8", "ascii", "usascii"):
            problems.append(f"andere tekenset ({encoding}), omgezet")
    if len(text) > MAX_HTML_CHARS:
        problems.append(f"pagina te groot ({len(text)} tekens), afgekapt op {MAX_HTML_CHARS}")
        text = text[:MAX_HTML_CHARS]
    return text, problems


def looks_binary(body: bytes) -> bool:
    """True for content that is not text: NUL bytes or mostly control bytes in the first 2 kB."""
    head = body[:2048]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls / len(head) > 0.1


# ---------------------------------------------------------------------------------------- helpers


def _text(value: Any) -> str:
    """A clean one-line string from a scalar, list or schema.org node."""
    if value is None:
        return ""
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or value.get("value") or "")
    return " ".join(str(value).split())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node: dict[str, Any]) -> set[str]:
    return {SCHEMA_PREFIX.sub("", str(t)).lower() for t in _as_list(node.get("@type"))}


def parse_price(value: Any) -> tuple[Decimal | None, str]:
    """A price and the currency symbol's code, from a number or free text (``€ 1.299,-``)."""
    if value is None or value == "":
        return None, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value)).quantize(Decimal("0.01")), ""
    raw = _text(value)
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return Decimal(raw).quantize(Decimal("0.01")), ""
    parsed = Price.fromstring(raw.replace(",-", ",00").replace(".-", ".00"))
    currency = _currency(parsed.currency or "")
    if parsed.amount is None:
        return None, currency
    try:
        return Decimal(parsed.amount).quantize(Decimal("0.01")), currency
    except InvalidOperation:
        return None, currency


def _currency(symbol: str) -> str:
    symbol = symbol.strip()
    if not symbol:
        return ""
    if re.fullmatch(r"[A-Za-z]{3}", symbol):
        return symbol.upper()
    return CURRENCY_SYMBOLS.get(symbol.lower(), "")


def normalise_gtin(value: Any, *, strict: bool = True) -> str:
    """Digits of a GTIN-8/12/13/14; with ``strict`` the check digit must be right."""
    digits = re.sub(r"[\s-]", "", _text(value))
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        return ""
    if strict and not ean.is_valid(digits):
        return ""
    return digits


def find_kvk(text: str) -> str:
    """The first KvK number named as such in ``text`` (8 digits after 'KvK', 'CoC', …)."""
    match = KVK_RE.search(text)
    return re.sub(r"\D", "", match.group(1)) if match else ""


def find_vat(text: str) -> str:
    """The first valid Dutch VAT number (btw-id, ``NL123456789B01``) in ``text``."""
    for match in VAT_RE.finditer(text):
        number = "NL" + match.group(2) + "B" + match.group(4)
        if btw.is_valid(number):
            return number
    return ""


def platform_of(url: str) -> str:
    """The site an offer is on: the host without ``www.`` (port kept for local sites)."""
    netloc = urlsplit(url).netloc.lower()
    return netloc[4:] if netloc.startswith("www.") else netloc


def _availability(value: Any) -> str:
    text = _text(value)
    return SCHEMA_PREFIX.sub("", text).split("/")[-1] if text else ""


# ------------------------------------------------------------------------------ structured data


def _walk_nodes(data: Any) -> list[dict[str, Any]]:
    """Every dict node in extruct's output, depth first (``@graph``, nested lists, mainEntity…)."""
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(v for v in reversed(list(item.values())) if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def _product_nodes(structured: dict[str, list[Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(products on their own, products inside an ItemList) from JSON-LD and microdata."""
    own: list[dict[str, Any]] = []
    listed: list[dict[str, Any]] = []
    listed_ids: set[int] = set()
    for syntax in ("json-ld", "microdata", "rdfa"):
        nodes = _walk_nodes(structured.get(syntax, []))
        for node in nodes:
            if "itemlist" in _types(node) or "offercatalog" in _types(node):
                for element in _as_list(node.get("itemListElement")):
                    if isinstance(element, dict):
                        item = element.get("item", element) if "listitem" in _types(element) else element
                        if isinstance(item, dict) and _types(item) & {"product", "productgroup", "vehicle"}:
                            listed.append(item)
                            listed_ids.add(id(item))
        for node in nodes:
            if id(node) in listed_ids:
                continue
            types = _types(node)
            if types & {"product", "productgroup", "vehicle", "individualproduct", "productmodel"}:
                if any(node is v for p in own for v in _as_list(p.get("hasVariant"))):
                    continue
                own.append(node)
    return own, listed


def _pick_offer(node: dict[str, Any]) -> dict[str, Any]:
    """The offer of a product: the cheapest of several, AggregateOffer's low price, a variant's."""
    offers = [o for o in _as_list(node.get("offers")) if isinstance(o, dict)]
    if not offers:
        for variant in _as_list(node.get("hasVariant")):
            if isinstance(variant, dict):
                offers.extend(o for o in _as_list(variant.get("offers")) if isinstance(o, dict))
    if not offers:
        return {}
    expanded: list[dict[str, Any]] = []
    for offer in offers:
        inner = [o for o in _as_list(offer.get("offers")) if isinstance(o, dict)]
        expanded.extend(inner or [offer])

    def amount(offer: dict[str, Any]) -> Decimal:
        price, _ = parse_price(_offer_price(offer))
        return price if price is not None else Decimal("1e12")

    return min(expanded, key=amount)


def _offer_price(offer: dict[str, Any]) -> Any:
    for key in ("price", "lowPrice", "highPrice"):
        if offer.get(key) not in (None, ""):
            return offer[key]
    for spec in _as_list(offer.get("priceSpecification")):
        if isinstance(spec, dict) and spec.get("price") not in (None, ""):
            return spec["price"]
    return None


def _offer_currency(offer: dict[str, Any]) -> str:
    currency = _text(offer.get("priceCurrency"))
    if not currency:
        for spec in _as_list(offer.get("priceSpecification")):
            if isinstance(spec, dict) and spec.get("priceCurrency"):
                currency = _text(spec["priceCurrency"])
    return currency.upper()[:3] if currency else ""


def _images(value: Any, base: str) -> list[str]:
    urls = []
    for image in _as_list(value):
        src = image.get("url") or image.get("contentUrl") if isinstance(image, dict) else image
        if isinstance(src, str) and src.strip():
            urls.append(urljoin(base, src.strip()))
    return urls


def offer_from_product(node: dict[str, Any], page_url: str, source: str) -> ExtractedOffer:
    """An ExtractedOffer from one schema.org Product (or ProductGroup) node."""
    offer = _pick_offer(node)
    variant = _variant_of(node, offer)
    price, symbol_currency = parse_price(_offer_price(offer))
    seller = offer.get("seller") or node.get("seller") or offer.get("offeredBy") or {}
    seller_types = _types(seller) if isinstance(seller, dict) else set()
    gtin = ""
    for key in ("gtin13", "gtin", "gtin14", "gtin12", "gtin8", "isbn"):
        gtin = normalise_gtin(node.get(key) or offer.get(key), strict=False)
        if gtin:
            break
    result = ExtractedOffer(
        url=urljoin(page_url, _text(node.get("url") or offer.get("url")) or page_url),
        title=_text(node.get("name")),
        description=_text(node.get("description")),
        price=price,
        currency=_offer_currency(offer) or symbol_currency,
        gtin=gtin,
        sku=_text(node.get("sku") or offer.get("sku")),
        mpn=_text(node.get("mpn")),
        brand=_text(node.get("brand") or node.get("manufacturer")),
        model=_text(node.get("model")),
        availability=_availability(offer.get("availability")),
        condition=_availability(offer.get("itemCondition") or node.get("itemCondition")),
        category=_text(node.get("category")),
        seller=_text(seller),
        seller_url=_text(seller.get("url")) if isinstance(seller, dict) else "",
        image_urls=_images(node.get("image"), page_url),
        sources=[source],
    )
    if isinstance(seller, dict):
        result.seller_kvk = re.sub(r"\D", "", _text(seller.get("leiCode") or seller.get("taxID") or ""))[:8]
        if len(result.seller_kvk) != 8:
            result.seller_kvk = ""
        result.seller_vat = find_vat(_text(seller.get("vatID")))
    if seller_types & {"person"}:
        result.seller_type = "particulier"
    elif seller_types & {"organization", "localbusiness", "store", "onlinestore", "corporation"}:
        result.seller_type = "bedrijf"
    if variant:
        result.sku = result.sku or _text(variant.get("sku"))
        result.gtin = result.gtin or normalise_gtin(
            variant.get("gtin13") or variant.get("gtin") or variant.get("gtin14") or variant.get("gtin8"), strict=False
        )
        result.image_urls = result.image_urls or _images(variant.get("image"), page_url)
        result.mpn = result.mpn or _text(variant.get("mpn"))
    return result


def _variant_of(node: dict[str, Any], offer: dict[str, Any]) -> dict[str, Any]:
    """The variant of a ProductGroup that carries the chosen offer (its SKU, GTIN and image count)."""
    for variant in _as_list(node.get("hasVariant")):
        if isinstance(variant, dict) and any(o is offer for o in _as_list(variant.get("offers"))):
            return variant
    return {}


# ------------------------------------------------------------------------------------ heuristics


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _meta(tree: Any, *names: str) -> str:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            values = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if values and _clean(values[0]):
                return _clean(values[0])
    return ""


def _node_text(element: Any) -> str:
    """Text of an element, its children's texts separated by spaces (block layout is lost in HTML)."""
    try:
        return _clean(" ".join(element.itertext()))
    except ValueError:
        return ""


def _visible_text(tree: Any) -> str:
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    body = tree.find("body")
    return _node_text(body if body is not None else tree)


def _spec_pairs(tree: Any) -> list[tuple[str, str]]:
    """(label, value) pairs from spec tables, definition lists and ``Label: value`` list items."""
    pairs: list[tuple[str, str]] = []
    for row in tree.xpath("//tr[count(th|td)>=2]"):
        cells = row.xpath("th|td")
        pairs.append((_node_text(cells[0]), _node_text(cells[1])))
    for term in tree.xpath("//dt"):
        value = term.getnext()
        if value is not None and value.tag == "dd":
            pairs.append((_node_text(term), _node_text(value)))
    for item in tree.xpath("//li|//p|//div[not(*)]|//span[not(*)]"):
        text = _node_text(item)
        if ":" in text and len(text) < 120:
            label, _, value = text.partition(":")
            pairs.append((label, value))
    return [(label.strip(" :").lower(), value.strip()) for label, value in pairs if label and value]


def _spec_value(pairs: list[tuple[str, str]], field_name: str) -> str:
    labels = SPEC_LABELS[field_name]
    for label, value in pairs:
        if label in labels and len(value) < 100:
            return value
    return ""


def _heuristic_price(tree: Any) -> tuple[Decimal | None, str]:
    """The selling price: itemprop/meta first, then the first price-classed element that is no old price."""
    for xpath in ('//*[@itemprop="price"]/@content', '//*[@itemprop="price"]', "//*[@data-price]/@data-price"):
        for value in tree.xpath(xpath):
            raw = value if isinstance(value, str) else _node_text(value)
            price, currency = parse_price(raw)
            if price is not None:
                return price, currency
    for element in tree.xpath("//*[@class or @id]"):
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if not PRICE_CLASS_RE.search(marker) or OLD_PRICE_RE.search(marker):
            continue
        if element.tag in ("del", "s", "strike") or element.xpath("ancestor::del|ancestor::s"):
            continue
        text = _price_text(element)
        if not text or len(text) > 60 or not re.search(r"\d", text):
            continue
        price, currency = parse_price(text)
        if price is not None and price > 0:
            if _in_card(element):
                return None, "kaart"
            return price, currency or ("EUR" if "€" in text or "eur" in text.lower() else "")
    return None, ""


def _price_text(element: Any) -> str:
    """Text of a price element without struck-out old prices; cents in a superscript
    (``189<sup>99</sup>``) become decimals."""
    if element.xpath(".//del|.//s|.//strike"):
        element = copy.deepcopy(element)
        for old in element.xpath(".//del|.//s|.//strike"):
            old.drop_tree()
    sups = element.xpath(".//sup")
    cents = _node_text(sups[0]) if len(sups) == 1 else ""
    if re.fullmatch(r"\d{2}|-{1,2}", cents):
        text = _node_text(element)
        head, _, tail = text.rpartition(cents)
        return f"{head.strip().rstrip(',.')},{cents.replace('-', '').ljust(2, '0')} {tail.strip()}".strip()
    return _node_text(element)


def _in_card(element: Any) -> bool:
    """True when a price sits in a small block with a link elsewhere: a product card on a listing."""
    for ancestor in list(element.iterancestors())[:4]:
        links = [a for a in ancestor.xpath(".//a[@href]") if len(_node_text(a)) > 8]
        if links:
            return (
                len(_node_text(ancestor)) < 400
                and ancestor.tag in ("li", "article", "div", "tr", "section")
                and not ancestor.xpath(".//h1")
            )
    return False


def _text_price(text: str) -> tuple[Decimal | None, str]:
    match = PRICE_TEXT_RE.search(text)
    if not match:
        return None, ""
    price, currency = parse_price(match.group(0))
    return price, currency or "EUR"


def _seller_block(tree: Any, body_text: str) -> tuple[str, str]:
    """(seller name, text of the seller block) from elements labelled Verkoper/Sold by/Aanbieder."""
    for element in tree.xpath("//*[@class or @id or @itemprop]"):
        marker = f"{element.get('class', '')} {element.get('id', '')} {element.get('itemprop', '')}".lower()
        if re.search(r"seller|verkoper|vendor|merchant|aanbieder|advertiser|adverteerder", marker):
            text = _node_text(element)
            if 0 < len(text) < 1500:
                name_el = element.xpath(
                    './/*[contains(@class,"name") or contains(@class,"naam") or @itemprop="name"]'
                    "|.//a|.//strong|.//h2|.//h3|.//h4"
                )
                name = _node_text(name_el[0]) if name_el else ""
                if not name:
                    name = _label_value(text)
                return _trim_name(name), text
    lowered = body_text.lower()
    for label in SELLER_LABELS:
        index = lowered.find(label)
        if index >= 0:
            window = body_text[index + len(label) : index + len(label) + 120].lstrip(" :-")
            name = re.split(r"\s{2,}|[|•·\n]|(?<=[a-z.])\s(?=[A-Z][a-z]+:)", window)[0]
            return _trim_name(name), body_text[index : index + 300]
    return "", ""


def page_text(tree: Any) -> str:
    """Visible text of a page (scripts and styles left out), read from a copy so the tree stays whole."""
    return _visible_text(lxml_html.fromstring(etree.tostring(tree)))


def _label_value(text: str) -> str:
    for label in SELLER_LABELS:
        match = re.search(re.escape(label) + r"\s*:?\s*(.{2,80})", text, re.IGNORECASE)
        if match:
            return match.group(1)
    return ""


def _trim_name(name: str) -> str:
    name = _clean(name)
    name = re.split(
        r"\s+(?:KvK|K\.v\.K|BTW|VAT|Tel|Telefoon|E-?mail|Lid sinds|Member since|\d+ ?beoordelingen|"
        r"Bekijk|Bezoek|Alle advertenties)",
        name,
        maxsplit=1,
        flags=re.IGNORECASE,
    )[0]
    return name.strip(" :-–|,")[:120]


def _breadcrumbs(tree: Any, structured: dict[str, list[Any]]) -> str:
    for node in _walk_nodes(structured.get("json-ld", []) + structured.get("microdata", [])):
        if "breadcrumblist" in _types(node):
            names = []
            for element in _as_list(node.get("itemListElement")):
                if isinstance(element, dict):
                    names.append(_text(element.get("name") or element.get("item")))
            names = [n for n in names if n and not n.startswith("http")]
            if names:
                return " > ".join(names)
    for nav in tree.xpath(
        f'//*[@aria-label="breadcrumb" or @aria-label="Breadcrumb" or contains({LOWER_CLASS},"breadcrumb") '
        f'or contains({LOWER_ID},"breadcrumb") or contains({LOWER_CLASS},"kruimelpad")]'
    ):
        names = [_node_text(a) for a in nav.xpath(".//a|.//li[not(a)]|.//span[not(*)]")]
        names = [n for n in dict.fromkeys(names) if n and n not in (">", "/", "›", "»")]
        if names:
            return " > ".join(names)
    return ""


def _heuristic_images(tree: Any, page_url: str) -> list[str]:
    urls = [
        value
        for value in tree.xpath(
            '//meta[@property="og:image"]/@content|//*[@itemprop="image"]/@src|//*[@itemprop="image"]/@content'
            '|//img[contains(@class,"product") or contains(@class,"gallery") or contains(@class,"main")]/@src'
            '|//*[contains(@class,"gallery") or contains(@class,"product-image") or contains(@class,"foto")]//img/@src'
        )
        if value.strip() and not value.strip().startswith("data:")
    ]
    return list(dict.fromkeys(urljoin(page_url, u.strip()) for u in urls))[:10]


def looks_like_listing(tree: Any) -> bool:
    """True for a search or category page: three or more sibling 'cards' that each hold a link and a price."""
    groups: dict[tuple[str, str], int] = {}
    for element in tree.xpath("//*[@class][.//a[@href]]"):
        text = _node_text(element)
        if len(text) > 600 or not PRICE_TEXT_RE.search(text):
            continue
        key = (element.tag, element.get("class", ""))
        groups[key] = groups.get(key, 0) + 1
    for element in tree.xpath("//ul|//ol|//tbody"):
        rows = [c for c in element if c.xpath(".//a[@href]") and PRICE_TEXT_RE.search(_node_text(c))]
        if len(rows) >= 3:
            return True
    return any(count >= 3 for count in groups.values())


def _is_product_page(tree: Any, og: dict[str, Any], price: Decimal | None, text: str) -> bool:
    og_type = str(og.get("og:type", "")).lower()
    if "product" in og_type:
        return True
    if tree.xpath('//*[@itemtype[contains(., "Product")]]|//meta[starts-with(@property,"product:price")]'):
        return True
    if price is None or looks_like_listing(tree):
        return False
    buy = re.search(
        r"in (?:de |mijn )?winkel(?:wagen|mand)|add to (?:cart|basket|bag)|bestel(?:len)? ?nu|koop nu|buy now|"
        r"bieden|bod plaatsen|contact (?:opnemen )?met (?:de )?verkoper|reageer|vraagprijs|bekijk (?:de )?advertentie",
        text,
        re.IGNORECASE,
    )
    return bool(buy) or bool(tree.xpath("//h1"))


def heuristic_offer(tree: Any, page_url: str, og: dict[str, Any], text: str) -> ExtractedOffer | None:
    """An offer read from an unmarked product page, or None when the page shows no single product."""
    price, currency = _heuristic_price(tree)
    if currency == "kaart":
        return None
    if price is None:
        price, currency = parse_price(_meta(tree, "product:price:amount", "og:price:amount"))
    if price is None:
        h1 = tree.xpath("//h1")
        after_h1 = text[text.find(_node_text(h1[0])) :] if h1 else text
        price, currency = _text_price(after_h1[:3000])
    if not _is_product_page(tree, og, price, text):
        return None
    h1 = tree.xpath("//h1")
    title = _node_text(h1[0]) if h1 else ""
    title = title or _strip_site(_clean(str(og.get("og:title", ""))) or _clean("".join(tree.xpath("//title/text()"))))
    description = _meta(tree, "og:description", "description", "twitter:description")
    block = tree.xpath(
        f'//*[contains({LOWER_CLASS},"description") or contains({LOWER_ID},"description") '
        f'or contains({LOWER_CLASS},"beschrijving") or contains({LOWER_ID},"beschrijving") '
        f'or contains({LOWER_CLASS},"omschrijving") or @itemprop="description"]'
    )
    block_text = _node_text(block[0])[:5000] if block else ""
    if len(block_text) > len(description):
        description = block_text
    if not description:
        description = _text_after_heading(tree)
    currency = currency or _meta(tree, "product:price:currency", "og:price:currency").upper()
    return ExtractedOffer(
        url=page_url,
        title=title,
        description=description,
        price=price,
        currency=currency or ("EUR" if price is not None else ""),
        sources=["heuristiek"],
    )


def _text_after_heading(tree: Any) -> str:
    """The longest paragraph after the h1 that is not a price line: the description of an unmarked page."""
    headings = tree.xpath("//h1")
    if not headings:
        return ""
    best = ""
    for element in headings[0].xpath("following::p|following::div[not(*) or not(.//div|.//p)]")[:60]:
        text = _node_text(element)
        if len(text) < 30 or len(text) > 5000 or element.xpath("ancestor::footer|ancestor::nav|ancestor::form"):
            continue
        if PRICE_TEXT_RE.search(text) and len(text) < 60:
            continue
        if len(text) > len(best):
            best = text
    return best


AVAILABILITY_WORDS = (
    (
        re.compile(r"\b(niet (meer )?op voorraad|uitverkocht|out of stock|sold out|tijdelijk niet leverbaar)\b", re.I),
        "OutOfStock",
    ),
    (re.compile(r"\b(op voorraad|direct leverbaar|in stock|morgen in huis|vandaag besteld)\b", re.I), "InStock"),
    (re.compile(r"\b(pre-?order|binnenkort leverbaar)\b", re.I), "PreOrder"),
)


def _text_status(text: str, words: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    """The first schema.org status whose Dutch or English wording occurs in the page text."""
    for pattern, status in words:
        if pattern.search(text[:20_000]):
            return status
    return ""


def _strip_site(title: str) -> str:
    """``Fles R32 | Marktplaats`` → ``Fles R32``: a page title without the site name after a separator."""
    parts = re.split(r"\s+[|–—-]\s+", title)
    return parts[0] if len(parts) > 1 and len(parts[0]) >= 3 else title


def _fill(target: ExtractedOffer, other: ExtractedOffer) -> None:
    """Fill empty fields of ``target`` from ``other``."""
    for name, value in asdict(other).items():
        if name in ("url", "sources"):
            continue
        current = getattr(target, name)
        if name == "seller_type":
            if current == "onbekend" and value != "onbekend":
                target.seller_type = value
            continue
        if current in ("", None, []) and value not in ("", None, []):
            setattr(target, name, getattr(other, name))
    target.sources = list(dict.fromkeys(target.sources + other.sources))


def _enrich(
    offer: ExtractedOffer,
    tree: Any,
    page_url: str,
    pairs: list[tuple[str, str]],
    og: dict[str, Any],
    structured: dict[str, list[Any]],
    text: str,
) -> None:
    """Fill what markup left out from meta tags, spec tables, seller blocks and page text."""
    offer.brand = offer.brand or _meta(tree, "product:brand", "og:brand", "brand") or _spec_value(pairs, "brand")
    offer.model = offer.model or _spec_value(pairs, "model")
    offer.mpn = offer.mpn or _spec_value(pairs, "mpn")
    if not offer.sku:
        offer.sku = _meta(tree, "product:retailer_item_id", "sku") or _spec_value(pairs, "sku")
        if not offer.sku:
            match = SKU_LABEL_RE.search(text)
            offer.sku = match.group(1) if match else ""
    if not offer.gtin:
        candidate = _meta(tree, "product:ean", "product:gtin", "gtin13", "gtin") or _spec_value(pairs, "gtin")
        offer.gtin = normalise_gtin(candidate)
        if not offer.gtin:
            for match in GTIN_LABEL_RE.finditer(text):
                offer.gtin = normalise_gtin(match.group(1))
                if offer.gtin:
                    break
    if not offer.availability:
        offer.availability = _availability(_meta(tree, "product:availability", "og:availability", "availability"))
        offer.availability = offer.availability or _text_status(text, AVAILABILITY_WORDS)
    if not offer.condition:
        offer.condition = _availability(_meta(tree, "product:condition", "og:condition"))
    offer.category = offer.category or _breadcrumbs(tree, structured)
    if not offer.image_urls:
        offer.image_urls = _heuristic_images(tree, page_url)
    name, block = _seller_block(tree, text)
    offer.seller_text = block
    if not offer.seller and name:
        offer.seller = name
    block_kvk = find_kvk(block) if block else ""
    page_kvk = find_kvk(text)
    offer.seller_kvk = offer.seller_kvk or block_kvk or (page_kvk if not name else "")
    offer.seller_vat = offer.seller_vat or (find_vat(block) if block else "") or (find_vat(text) if not name else "")
    hint_text = (block or "").lower()
    if offer.seller_type == "onbekend":
        if any(h in hint_text for h in PRIVATE_HINTS):
            offer.seller_type = "particulier"
        elif offer.seller_kvk or offer.seller_vat or any(h in hint_text for h in BUSINESS_HINTS):
            offer.seller_type = "bedrijf"
    site_name = _clean(str(og.get("og:site_name", "")))
    if not offer.seller and not name:
        # A shop selling its own goods: the site operator is the seller.
        offer.seller = site_name
        if offer.seller or offer.seller_kvk:
            offer.seller_type = "bedrijf" if offer.seller_type == "onbekend" else offer.seller_type
    offer.platform = site_name if site_name and not offer.platform else offer.platform
    offer.platform = platform_of(page_url)
    if not offer.currency and offer.price is not None:
        offer.currency = "EUR"
    offer.image_urls = list(dict.fromkeys(offer.image_urls))[:10]


def _opengraph(structured: dict[str, list[Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for block in structured.get("opengraph", []):
        if isinstance(block, dict):
            for key, value in block.items():
                if key != "@context":
                    merged.setdefault(key, value)
    return merged


def _structured(text: str, tree: Any, url: str, problems: list[str]) -> dict[str, list[Any]]:
    try:
        data: dict[str, list[Any]] = extruct.extract(
            tree, base_url=url, syntaxes=["json-ld", "microdata", "opengraph", "rdfa"], uniform=True, errors="ignore"
        )
    except Exception as exc:  # extruct raises many types on odd markup; the page still gets heuristics
        problems.append(f"gestructureerde data onleesbaar: {type(exc).__name__}")
        data = {}
    if not data.get("json-ld") and "application/ld+json" in text:
        data["json-ld"] = _lenient_json_ld(tree, problems)
    return data


def _lenient_json_ld(tree: Any, problems: list[str]) -> list[Any]:
    """JSON-LD blocks that strict parsing refused (trailing commas, HTML comments, control characters)."""
    found: list[Any] = []
    for script in tree.xpath('//script[contains(@type,"ld+json")]'):
        raw = (script.text or "").strip()
        raw = re.sub(r"^\s*<!--|-->\s*$", "", raw)
        raw = re.sub(r",\s*([}\]])", r"\1", raw)
        try:
            found.append(json.loads(raw, strict=False))
        except json.JSONDecodeError:
            problems.append("JSON-LD-blok is geen geldige JSON")
    return found


def extract_page(body: bytes | str, url: str, content_type: str = "") -> PageExtraction:
    """All offers on one page; never raises on bad input, problems are listed instead."""
    text, problems = decode_html(body, content_type)
    if not text.strip():
        return PageExtraction(url=url, offers=[], problems=problems or ["lege pagina"])
    try:
        tree = lxml_html.fromstring(
            text.encode("utf-8", "surrogatepass"),
            parser=lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, huge_tree=True),
        )
    except (etree.ParserError, ValueError) as exc:
        problems.append(f"HTML onleesbaar: {exc}")
        return PageExtraction(url=url, offers=[], problems=problems)
    structured = _structured(text, tree, url, problems)
    og = _opengraph(structured)
    page_title = _clean("".join(tree.xpath("//title/text()")))
    own, listed = _product_nodes(structured)
    pairs = _spec_pairs(tree)
    body_text = page_text(tree)
    offers: list[ExtractedOffer] = []
    if own and not (len(own) > 2 and len({_text(p.get("url")) for p in own}) > 2):
        main = _main_product(own, tree, og)
        offer = offer_from_product(
            main,
            url,
            "json-ld"
            if main in structured.get("json-ld", []) or main in _walk_nodes(structured.get("json-ld", []))
            else "microdata",
        )
        offer.url = url
        for other in own:
            if other is not main and _text(other.get("name")) in ("", offer.title):
                _fill(offer, offer_from_product(other, url, "microdata"))
        heuristic = heuristic_offer(tree, url, og, body_text)
        if heuristic is not None:
            heuristic.price = heuristic.price if offer.price is None else None
            heuristic.currency = heuristic.currency if offer.price is None else ""
            _fill(offer, heuristic)
        _enrich(offer, tree, url, pairs, og, structured, body_text)
        offers.append(offer)
    elif own or listed:
        for node in own + listed:
            item = offer_from_product(node, url, "json-ld")
            item.platform = platform_of(url)
            if item.title:
                offers.append(item)
    else:
        offer_or_none = heuristic_offer(tree, url, og, body_text)
        if offer_or_none is not None:
            _fill(offer_or_none, _opengraph_offer(og, url))
            _enrich(offer_or_none, tree, url, pairs, og, structured, body_text)
            offers.append(offer_or_none)
    return PageExtraction(url=url, offers=offers, problems=problems, title=page_title)


def _opengraph_offer(og: dict[str, Any], url: str) -> ExtractedOffer:
    price, currency = parse_price(og.get("product:price:amount") or og.get("og:price:amount"))
    return ExtractedOffer(
        url=url,
        title=_clean(str(og.get("og:title", ""))),
        description=_clean(str(og.get("og:description", ""))),
        price=price,
        currency=_clean(str(og.get("product:price:currency") or og.get("og:price:currency") or currency)).upper(),
        brand=_clean(str(og.get("product:brand", ""))),
        image_urls=[urljoin(url, str(i)) for i in _as_list(og.get("og:image")) if isinstance(i, str)],
        sources=["opengraph"],
    )


def _main_product(products: list[dict[str, Any]], tree: Any, og: dict[str, Any]) -> dict[str, Any]:
    """The page's own product: the one named like the h1 or og:title, else the one with a price."""
    h1 = tree.xpath("//h1")
    heading = (_node_text(h1[0]) if h1 else "") or _clean(str(og.get("og:title", "")))
    heading = heading.lower()
    for product in products:
        name = _text(product.get("name")).lower()
        if name and heading and (name in heading or heading in name):
            return product
    for product in products:
        if _pick_offer(product):
            return product
    return products[0]

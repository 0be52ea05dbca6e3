"""The demo webshops' offers and their ground truth, deterministic for a seed.

Each offer is drawn as facts first (refrigerant, cylinder kind, top speed, helmet norm, certificate
number, seller kind) and only then written out in one of several phrasings, some of which the
themes' rules do not know: so the ground truth says what the offer *is*, not what a regex finds.
Private sellers' ads carry planted personal data (names, phone numbers, e-mail addresses, street
addresses, IBANs, a BSN now and then) that must never reach the stored offers.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from stdnum import ean

SITES = {
    "koelshop": "JSON-LD",
    "stepwinkel": "microdata",
    "bouwshop": "plain HTML (windows-1252), Crawl-delay",
    "tweedehands": "marketplace of private sellers",
}
FIRST = [
    "Kees",
    "Anouk",
    "Sanne",
    "Pieter",
    "Daan",
    "Femke",
    "Bram",
    "Lotte",
    "Joost",
    "Marieke",
    "Ruud",
    "Ingrid",
    "Thijs",
    "Wendy",
    "Sjoerd",
    "Esther",
    "Gerrit",
    "Hanneke",
    "Wouter",
    "Yvonne",
]
LAST = [
    "Bakker",
    "de Vries",
    "Jansen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Kok",
    "Verhoeven",
    "Kuipers",
]
STREETS = [
    "Kerkstraat",
    "Molenweg",
    "Dorpsstraat",
    "Beukenlaan",
    "Schoolstraat",
    "Julianastraat",
    "Stationsweg",
    "Emmalaan",
    "Vondelstraat",
    "Lindelaan",
]
CITIES = ["Zwolle", "Amersfoort", "Tilburg", "Leeuwarden", "Almere", "Deventer", "Haarlem", "Breda"]
IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL18RABO0123459876", "NL44RABO0123456789"]
BSNS = ["111222333", "123456782", "999999990"]


@dataclass
class DemoOffer:
    """One offer on one demo site, with what it really is."""

    id: str
    site: str
    theme: str
    title: str
    description: str
    price: float
    brand: str
    gtin: str
    sku: str
    seller: str
    seller_type: str  # bedrijf | particulier
    seller_kvk: str = ""
    violation: bool = False
    rules: list[str] = field(default_factory=list)
    personal_data: list[str] = field(default_factory=list)
    split: str = "train"
    path: str = ""
    same_as: str = ""

    def as_json(self, base_url: str) -> dict[str, Any]:
        data = asdict(self)
        data["url"] = base_url + self.path
        return data


def _gtin(rng: random.Random) -> str:
    body = "87" + "".join(str(rng.randint(0, 9)) for _ in range(10))
    return body + ean.calc_check_digit(body)


def _fgas(rng: random.Random, private: bool) -> tuple[str, str, float, str, list[str]]:
    gas = rng.choice(["R32", "R410A", "R134a", "R404A"])
    kg = rng.choice([5, 9, 10, 11.3, 12])
    disposable = rng.random() < 0.25
    cert_mentioned = rng.random() < 0.8 and not private
    cheap = rng.random() < 0.1
    no_cert_claim = not cert_mentioned and rng.random() < 0.4
    rules = []
    kind = "cilinder"
    if disposable:
        rules.append("wegwerpcilinder")
        kind = rng.choice(
            [
                "wegwerpcilinder",
                "niet-navulbare fles",
                "disposable cylinder",
                "eenmalig te gebruiken fles",
                "fles (geen statiegeld, na gebruik weggooien)",
            ]
        )
    weight = str(kg).replace(".", ",")
    title = f"{gas} koudemiddel {kind} {weight} kg"
    parts = [
        f"{gas} koudemiddel in {kind}, inhoud {weight} kg.",
        rng.choice(["Direct leverbaar.", "Op voorraad.", "Snel verzonden.", "Volle fles."]),
    ]
    if cert_mentioned:
        parts.append(
            rng.choice(
                [
                    "Verkoop uitsluitend aan STEK-gecertificeerde bedrijven; vermeld uw certificaatnummer.",
                    "F-gassen certificaat verplicht bij aankoop.",
                    "Alleen voor erkende installateurs, quotumregistratie aanwezig.",
                ]
            )
        )
    else:
        rules.append("certificering_niet_vermeld")
        if no_cert_claim:
            rules.append("geen_certificaat_vereist")
            parts.append(
                rng.choice(
                    [
                        "Geen certificaat nodig!",
                        "Iedereen kan dit zelf bijvullen.",
                        "Zonder diploma te gebruiken.",
                        "Papieren niet nodig, gewoon zelf doen.",
                    ]
                )
            )
    if private:
        rules.append("particuliere_verkoop")
    price = round(rng.uniform(12, 35), 2) if cheap else round(rng.uniform(85, 260), 2)
    if cheap:
        rules.append("prijs_onder_markt")
    violation = disposable or not cert_mentioned or private or cheap
    return title, " ".join(parts), price, "Chemours" if rng.random() < 0.5 else "Honeywell", rules if violation else []


def _estep(rng: random.Random, private: bool) -> tuple[str, str, float, str, list[str]]:
    speed = rng.choice([20, 25, 25, 25, 35, 45, 60])
    power = rng.choice([250, 250, 250, 250, 500, 800, 1200])
    claim = rng.random() < 0.2
    approved = speed <= 25 and power <= 250 and not claim
    model = rng.choice(["Thunder", "Volt X", "CityRider", "Blitz", "Urban 2"])
    speed_text = rng.choice(
        [
            f"Topsnelheid {speed} km/u",
            f"haalt {speed} km/h",
            f"snelheid tot {speed}kmh",
            f"rijdt gemakkelijk {speed} per uur",
        ]
    )
    parts = [f"Elektrische step {model}, motor {power}W, {speed_text}.", "Actieradius 30 km, inklapbaar."]
    rules = []
    if speed > 25:
        rules.append("snelheid_boven_25")
    if power > 250:
        rules.append("vermogen_boven_250w")
    if claim:
        rules.append("kentekenvrij_claim")
        parts.append(
            rng.choice(
                [
                    "Kentekenvrij rijden!",
                    "Geen verzekering nodig.",
                    "Overal legaal.",
                    "Geen gedoe met de RDW of papieren.",
                ]
            )
        )
    if approved:
        parts.append(
            rng.choice(
                [
                    "Met RDW-typegoedkeuring, toegestaan op de openbare weg.",
                    "Goedgekeurd door de RDW (typegoedkeuring).",
                ]
            )
        )
    price = round(rng.uniform(299, 1499), 2)
    return f"E-step {model} {speed} km/u", " ".join(parts), price, model.split()[0], [] if approved else rules


def _helmet(rng: random.Random, private: bool) -> tuple[str, str, float, str, list[str]]:
    norm = rng.choice(["ECE 22.06", "EN 1078", "ECE 22.06", "EN 1078", "none", "ECE 22.05", "replica"])
    kind = rng.choice(["fietshelm", "scooterhelm", "integraalhelm", "jethelm"])
    brand = rng.choice(["Urbanix", "Speedline", "Nordic", "X-Race"])
    parts = [
        f"{kind.capitalize()} van {brand}, maten S t/m XL, lichtgewicht.",
        rng.choice(["Kleur mat zwart.", "Kleur wit.", "Met vizier."]),
    ]
    rules = []
    if norm in ("ECE 22.06", "EN 1078"):
        parts.append(rng.choice([f"Gekeurd volgens {norm}.", f"Voldoet aan {norm}.", f"Keurmerk: {norm}."]))
    elif norm == "ECE 22.05":
        parts.append("Gekeurd volgens ECE 22.05.")
        rules += ["keurmerk_niet_vermeld", "verouderde_norm"]
    elif norm == "replica":
        parts.append(
            rng.choice(
                [
                    "Replica helm, niet gekeurd.",
                    "Alleen voor decoratie of show.",
                    "Let op: bedoeld als verzamelobject, niet voor op straat.",
                ]
            )
        )
        rules += ["keurmerk_niet_vermeld", "geen_keurmerk_claim"]
    else:
        rules.append("keurmerk_niet_vermeld")
    price = round(rng.uniform(19, 189), 2)
    return f"{brand} {kind} {rng.choice(['mat zwart', 'wit', 'Pro', 'Classic'])}", " ".join(parts), price, brand, rules


def _floor(rng: random.Random, private: bool) -> tuple[str, str, float, str, list[str]]:
    certified_with_number = rng.random() < 0.6
    diy = rng.random() < 0.15
    product = rng.choice(["vloercoating", "gietvloer", "lekbakvloer", "PBV-vloer"])
    brand = rng.choice(["FloorSeal", "Protecta", "Dichtbeton", "Kiwacoat"])
    parts = [f"Vloeistofdichte {product} voor werkplaats en opslag.", "Bestand tegen olie en chemicaliën."]
    rules = []
    if certified_with_number:
        number = f"K{rng.randint(10000, 99999)}/0{rng.randint(1, 9)}"
        parts.append(
            rng.choice(
                [
                    f"Aangelegd onder BRL 2319, certificaatnummer {number}.",
                    f"Erkend bedrijf (AS 6700), certificaatnr. {number}.",
                ]
            )
        )
    else:
        parts.append(
            rng.choice(
                [
                    "Gecertificeerd vloeistofdicht.",
                    "Met KIWA-keurmerk.",
                    "Voldoet aan CUR 44, erkend systeem.",
                    "Geheel volgens de normen, officieel goedgekeurd.",
                ]
            )
        )
        rules.append("certificaat_zonder_nummer")
    if diy:
        parts.append(rng.choice(["Zelf aan te brengen in één dag!", "Doe-het-zelf pakket, geen vakman nodig."]))
        rules.append("zelf_aanleggen")
    price = round(rng.uniform(35, 950), 2)
    return f"Vloeistofdichte {product} {brand}", " ".join(parts), price, brand, rules


GENERATORS = {"f-gassen": _fgas, "e-steps": _estep, "helmen": _helmet, "vloeistofdichte-vloeren": _floor}
SITE_THEMES = {
    "koelshop": [("f-gassen", 16), ("vloeistofdichte-vloeren", 8)],
    "stepwinkel": [("e-steps", 14), ("helmen", 10)],
    "bouwshop": [("vloeistofdichte-vloeren", 6), ("helmen", 5), ("f-gassen", 4)],
    "tweedehands": [("f-gassen", 9), ("e-steps", 8), ("helmen", 6), ("vloeistofdichte-vloeren", 3)],
}
SHOP_SELLERS = {
    "koelshop": ("KoelGigant B.V.", "27312345"),
    "stepwinkel": ("Stepwinkel Nederland", "61234567"),
    "bouwshop": ("Bouwshop Oost V.O.F.", "08123456"),
}
MARKETPLACE_BUSINESSES = [("Koeltechniek Jansen B.V.", "34567890"), ("Step & Go", "45678901")]
SELLERS_NEEDED = len(SHOP_SELLERS) + len(MARKETPLACE_BUSINESSES)


def assign_sellers(
    sellers: Sequence[tuple[str, str]] | None,
) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """The shops' operators and the marketplace's business sellers: the built-in ones, or the first
    ``SELLERS_NEEDED`` of ``sellers`` (name, KvK number), e.g. companies of the demo world."""
    if not sellers:
        return dict(SHOP_SELLERS), list(MARKETPLACE_BUSINESSES)
    if len(sellers) < SELLERS_NEEDED:
        raise ValueError(f"{SELLERS_NEEDED} verkopers nodig, {len(sellers)} gegeven")
    shops = dict(zip(SHOP_SELLERS, sellers[: len(SHOP_SELLERS)], strict=True))
    return shops, list(sellers[len(SHOP_SELLERS) : SELLERS_NEEDED])


def _private_ad(rng: random.Random, text: str) -> tuple[str, str, list[str]]:
    """An ad text with planted personal data; returns (seller display name, text, planted strings)."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    full = f"{first} {last}"
    phone = rng.choice(
        [
            f"06-{rng.randint(10000000, 99999999)}",
            f"06 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            f"+31 6 {rng.randint(10000000, 99999999)}",
            f"0{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
        ]
    )
    domain = rng.choice(["hotmail.com", "gmail.com", "ziggo.nl", "kpnmail.nl"])
    email = f"{first.lower()}.{last.lower().replace(' ', '')}{rng.randint(1, 99)}@{domain}"
    street = f"{rng.choice(STREETS)} {rng.randint(1, 199)}"
    postcode = f"{rng.randint(1000, 9999)} {rng.choice(['AB', 'CD', 'EK', 'GT', 'LN', 'PR', 'XW'])}"
    city = rng.choice(CITIES)
    planted = [full, phone, email]
    extras = [f"Bel of app {phone}.", f"Mail: {email}", f"Groeten, {full}"]
    if rng.random() < 0.5:
        extras.append(f"Ophalen aan de {street}, {postcode} {city}.")
        planted += [street, postcode]
    if rng.random() < 0.3:
        iban = rng.choice(IBANS)
        extras.append(f"Betalen kan vooraf op {iban}.")
        planted.append(iban)
    if rng.random() < 0.1:
        bsn = rng.choice(BSNS[:2])
        extras.append(f"(mijn bsn {bsn} staat op de factuur)")
        planted.append(bsn)
    rng.shuffle(extras)
    return f"{first} {last[0]}.", text + " " + " ".join(extras), planted


def build_catalog(seed: int = 1, scale: int = 2, sellers: Sequence[tuple[str, str]] | None = None) -> list[DemoOffer]:
    """All demo offers of all sites; the same seed gives the same offers. ``scale`` multiplies the offers
    of every site but the slow one (bouwshop, which has a Crawl-delay); ``sellers`` replaces the
    built-in business sellers (see ``assign_sellers``)."""
    operators, businesses = assign_sellers(sellers)
    rng = random.Random(seed)
    offers: list[DemoOffer] = []
    for site, themes in SITE_THEMES.items():
        number = 0
        for theme, count in themes:
            for _ in range(count if site == "bouwshop" else count * scale):
                number += 1
                private = site == "tweedehands" and rng.random() < 0.8
                title, text, price, brand, rules = GENERATORS[theme](rng, private)
                offer_id = f"{site[:2]}{number:03d}"
                if site == "tweedehands":
                    if private:
                        seller, text, planted = _private_ad(rng, text)
                        seller_type, kvk = "particulier", ""
                    else:
                        seller, kvk = rng.choice(businesses)
                        seller_type, planted = "bedrijf", []
                else:
                    seller, kvk = operators[site]
                    seller_type, planted = "bedrijf", []
                digest = int(hashlib.sha256(f"{seed}:{offer_id}".encode()).hexdigest(), 16)
                slug = "advertentie" if site == "tweedehands" else "product"
                offers.append(
                    DemoOffer(
                        id=offer_id,
                        site=site,
                        theme=theme,
                        title=title,
                        description=text,
                        price=price,
                        brand=brand,
                        gtin=_gtin(rng) if site != "tweedehands" else "",
                        sku=f"{offer_id.upper()}-{rng.randint(100, 999)}",
                        seller=seller,
                        seller_type=seller_type,
                        seller_kvk=kvk,
                        violation=bool(rules),
                        rules=rules,
                        personal_data=planted,
                        split="test" if digest % 10 < 4 else "train",
                        path=f"/{slug}/{offer_id}",
                    )
                )
    _relist(rng, offers)
    return offers


def _relist(rng: random.Random, offers: list[DemoOffer]) -> None:
    """Re-list two private ads under a new address (as sellers do after a take-down), and mark every
    offer that is the same seller's same product as ``same_as`` the first one."""
    private = [o for o in offers if o.seller_type == "particulier"]
    for original in rng.sample(private, min(2, len(private))):
        copy = DemoOffer(**{**asdict(original), "id": original.id + "r", "path": original.path + "-opnieuw"})
        offers.append(copy)
    first: dict[tuple[str, str, str], str] = {}
    for offer in offers:
        seller = offer.seller_kvk or (offer.personal_data[2] if len(offer.personal_data) > 2 else offer.seller)
        product = offer.gtin or " ".join(sorted(set(offer.title.lower().split())))
        key = (offer.theme, seller, product)
        if key in first:
            offer.same_as = first[key]
        else:
            first[key] = offer.id

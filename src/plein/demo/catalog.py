"""The fixed parts of the demo world: organisations, themes, sectors and their vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from plein.core.vocabulary import LegalDomain, OrganisationKind

K = OrganisationKind
B, S = LegalDomain.BESTUURSRECHT.value, LegalDomain.STRAFRECHT.value


@dataclass(frozen=True)
class OrgSpec:
    """An organisation of the demo world; ``parent`` is the code of the body it is a unit of."""

    code: str
    name: str
    kind: str
    domain: str
    party: str | None = None
    parent: str | None = None
    system: str = ""


OMGEVINGSDIENSTEN = {
    "OD-NZKG": ("Omgevingsdienst Noordzeekanaalgebied", "Squit XO"),
    "DCMR": ("DCMR Milieudienst Rijnmond", "Mozard"),
    "ODH": ("Omgevingsdienst Haaglanden", "OpenWave"),
    "ODWH": ("Omgevingsdienst West-Holland", "Squit XO"),
    "OZHZ": ("Omgevingsdienst Zuid-Holland Zuid", "Squit XO"),
    "ODRU": ("Omgevingsdienst regio Utrecht", "Powerbrowser"),
    "ODZOB": ("Omgevingsdienst Zuidoost-Brabant", "Squit XO"),
    "ODBN": ("Omgevingsdienst Brabant Noord", "OpenWave"),
    "OMWB": ("Omgevingsdienst Midden- en West-Brabant", "Squit XO"),
    "ODG": ("Omgevingsdienst Groningen", "Powerbrowser"),
    "ODIJ": ("Omgevingsdienst IJsselland", "Squit XO"),
    "ODRA": ("Omgevingsdienst Regio Arnhem", "OpenWave"),
    "ODRN": ("Omgevingsdienst Regio Nijmegen", "Squit XO"),
    "ODVIJ": ("Omgevingsdienst Veluwe IJssel", "Powerbrowser"),
    "ODT": ("Omgevingsdienst Twente", "Squit XO"),
    "OFGV": ("Omgevingsdienst Flevoland & Gooi en Vechtstreek", "OpenWave"),
    "ODNHN": ("Omgevingsdienst Noord-Holland Noord", "Squit XO"),
    "FUMO": ("FUMO, Fryske Utfieringstsjinst Miljeu en Omjouwing", "Powerbrowser"),
    "RUDD": ("Regionale Uitvoeringsdienst Drenthe", "Squit XO"),
    "RUDZL": ("RUD Zuid-Limburg", "OpenWave"),
    "RUDLN": ("RUD Limburg-Noord", "Squit XO"),
    "RUDZE": ("RUD Zeeland", "Powerbrowser"),
}


def _organisations() -> tuple[OrgSpec, ...]:
    specs = [OrgSpec("KVK", "Kamer van Koophandel", K.BASISREGISTRATIE, B, system="Handelsregister")]
    for code, (name, system) in OMGEVINGSDIENSTEN.items():
        specs.append(OrgSpec(code, name, K.OMGEVINGSDIENST, B, "OD-toezicht", system=system))
        specs.append(OrgSpec(f"{code}-BOA", f"{name} – BOA's", K.OMGEVINGSDIENST, S, "OD-BOA", code, "BOA-registratie"))
    specs += [
        OrgSpec(
            "ILT",
            "Inspectie Leefomgeving en Transport",
            K.RIJKSINSPECTIE,
            B,
            "ILT",
            system="Inspectieview-ILT",
        ),
        OrgSpec(
            "ILT-IOD",
            "ILT – Inlichtingen- en Opsporingsdienst",
            K.BIJZONDERE_OPSPORINGSDIENST,
            S,
            "ILT-IOD",
            "ILT",
            "Summ-IT",
        ),
        OrgSpec("NVWA", "Nederlandse Voedsel- en Warenautoriteit", K.RIJKSINSPECTIE, B, "NVWA", system="Inspect"),
        OrgSpec(
            "NVWA-IOD",
            "NVWA – Inlichtingen- en Opsporingsdienst",
            K.BIJZONDERE_OPSPORINGSDIENST,
            S,
            "NVWA-IOD",
            "NVWA",
            "Summ-IT",
        ),
        OrgSpec("NLA", "Nederlandse Arbeidsinspectie", K.RIJKSINSPECTIE, B, "NLA", system="Inspectieview-NLA"),
        OrgSpec(
            "NLA-DO",
            "NLA – Directie Opsporing",
            K.BIJZONDERE_OPSPORINGSDIENST,
            S,
            "NLA-DO/DI",
            "NLA",
            "Summ-IT",
        ),
        OrgSpec("POLITIE", "Politie", K.POLITIE, S, "Politie", system="BVH"),
        OrgSpec("OM-FP", "Openbaar Ministerie – Functioneel Parket", K.OPENBAAR_MINISTERIE, S, "OM", system="GPS"),
        OrgSpec(
            "RWS-LMA",
            "Rijkswaterstaat – Landelijk Meldpunt Afvalstoffen",
            K.UITVOERINGSORGANISATIE,
            B,
            system="AMICE",
        ),
        OrgSpec(
            "RVO",
            "Rijksdienst voor Ondernemend Nederland",
            K.UITVOERINGSORGANISATIE,
            B,
            system="Mestverantwoording",
        ),
        OrgSpec("DOUANE", "Douane", K.DOUANE, B),
        OrgSpec("BELASTINGDIENST", "Belastingdienst", K.BELASTINGDIENST, B),
        OrgSpec("LIEC", "Landelijk Informatie- en Expertisecentrum", K.LIEC, B),
    ]
    for code, region in [
        ("RIEC-AA", "Amsterdam-Amstelland"),
        ("RIEC-RR", "Rotterdam"),
        ("RIEC-HH", "Haaglanden"),
        ("RIEC-MN", "Midden-Nederland"),
        ("RIEC-ZWB", "Zeeland-West-Brabant"),
        ("RIEC-OB", "Oost-Brabant"),
        ("RIEC-ON", "Oost-Nederland"),
        ("RIEC-NN", "Noord-Nederland"),
        ("RIEC-LB", "Limburg"),
        ("RIEC-NH", "Noord-Holland"),
    ]:
        specs.append(OrgSpec(code, f"RIEC {region}", K.RIEC, B))
    for code, name in [
        ("GEM-AMS", "Gemeente Amsterdam"),
        ("GEM-RTM", "Gemeente Rotterdam"),
        ("GEM-DH", "Gemeente Den Haag"),
        ("GEM-UTR", "Gemeente Utrecht"),
        ("GEM-EHV", "Gemeente Eindhoven"),
        ("GEM-DB", "Gemeente 's-Hertogenbosch"),
        ("GEM-MOE", "Gemeente Moerdijk"),
        ("GEM-GRO", "Gemeente Groningen"),
    ]:
        specs.append(OrgSpec(code, name, K.GEMEENTE, B, system="Zaaksysteem"))
    for code, name in [
        ("PROV-NH", "Provincie Noord-Holland"),
        ("PROV-ZH", "Provincie Zuid-Holland"),
        ("PROV-NB", "Provincie Noord-Brabant"),
        ("PROV-GLD", "Provincie Gelderland"),
    ]:
        specs.append(OrgSpec(code, name, K.PROVINCIE, B, system="VTH-systeem"))
    return tuple(specs)


ORGANISATIONS = _organisations()

THEMES = (
    ("afval", "Afval", "Inzameling, opslag, verwerking en transport van afvalstoffen."),
    ("bodem", "Bodem", "Bodembescherming, bodemverontreiniging en grondverzet."),
    ("asbest", "Asbest", "Asbestinventarisatie, -sanering en -afvoer."),
    ("f-gassen", "F-gassen", "Gefluoreerde broeikasgassen: koelmiddelen, lekcontrole, certificering."),
    ("mest", "Mest", "Mestproductie, -transport en -verwerking."),
    ("gewasbescherming", "Gewasbescherming", "Gebruik en handel van gewasbeschermingsmiddelen."),
    ("brzo", "Brzo", "Bedrijven onder het Besluit risico's zware ongevallen."),
    (
        "vloeistofdichte-vloeren",
        "Vloeistofdichte vloeren",
        "Bodembeschermende voorzieningen en hun certificering.",
    ),
    ("e-steps", "E-steps", "Elektrische steps en andere lichte elektrische voertuigen."),
    ("helmen", "Helmen", "Helmen voor fietsers, snorfietsers en e-steppers."),
    ("arbeidsomstandigheden", "Arbeidsomstandigheden", "Veilig en gezond werken."),
    ("externe-veiligheid", "Externe veiligheid", "Opslag en gebruik van gevaarlijke stoffen."),
)


@dataclass(frozen=True)
class Sector:
    """A kind of company: its SBI codes, name words, themes, and whether it ships waste or manure."""

    key: str
    sbi: tuple[str, ...]
    words: tuple[str, ...]
    themes: tuple[str, ...]
    activities: tuple[str, ...]
    weight: int
    ships: str | None = None  # "afval" or "mest"
    receives: bool = False  # processes waste/manure from others


SECTORS = (
    Sector(
        "afvalverwerker",
        ("3811", "3821", "3832"),
        ("Recycling", "Afvalverwerking", "Milieuservice", "Containerservice", "Recycling Centrum"),
        ("afval", "bodem", "externe-veiligheid"),
        ("opslag van afvalstoffen", "sorteren van bouw- en sloopafval"),
        6,
        "afval",
        True,
    ),
    Sector(
        "schroothandel",
        ("4677", "3831"),
        ("Metaalhandel", "Oud IJzer", "Schroot", "Autodemontage"),
        ("afval", "bodem", "vloeistofdichte-vloeren"),
        ("opslag van schroot", "demontage van autowrakken"),
        4,
        "afval",
        True,
    ),
    Sector(
        "sloper",
        ("4311", "4399"),
        ("Sloopwerken", "Grondverzet", "Sloop & Asbest", "Bouwservice"),
        ("asbest", "afval", "bodem"),
        ("sloopwerkzaamheden", "asbestsanering"),
        7,
        "afval",
    ),
    Sector(
        "installateur",
        ("4322",),
        ("Koeltechniek", "Klimaattechniek", "Installatietechniek", "Airco Service"),
        ("f-gassen",),
        ("installatie van koelinstallaties",),
        7,
    ),
    Sector(
        "melkveehouder",
        ("0141",),
        ("Melkveebedrijf", "Melkvee", "Agrarisch Bedrijf", "Hoeve"),
        ("mest", "gewasbescherming"),
        ("houden van melkvee",),
        7,
        "mest",
    ),
    Sector(
        "varkenshouder",
        ("0146",),
        ("Varkenshouderij", "Zeugenhouderij", "Agrarisch Bedrijf"),
        ("mest",),
        ("houden van varkens",),
        4,
        "mest",
    ),
    Sector(
        "mestverwerker",
        ("3821", "4621"),
        ("Mestverwerking", "Mestbank", "Bio Energie", "Mestinvest"),
        ("mest", "bodem"),
        ("verwerking van dierlijke mest",),
        2,
        "mest",
        True,
    ),
    Sector(
        "akkerbouwer",
        ("0111", "0113"),
        ("Akkerbouw", "Teeltbedrijf", "Kwekerij"),
        ("gewasbescherming", "mest"),
        ("teelt van gewassen",),
        5,
    ),
    Sector(
        "chemie",
        ("2011", "2014", "2059"),
        ("Chemie", "Chemicals", "Coatings", "Specialties"),
        ("brzo", "externe-veiligheid", "bodem", "vloeistofdichte-vloeren"),
        ("productie van chemische stoffen",),
        3,
        "afval",
    ),
    Sector(
        "garage",
        ("4520",),
        ("Autobedrijf", "Garage", "Autoservice", "Bandenservice"),
        ("bodem", "vloeistofdichte-vloeren", "afval"),
        ("onderhoud en reparatie van auto's",),
        10,
        "afval",
    ),
    Sector(
        "tankstation",
        ("4730",),
        ("Tankstation", "Brandstoffen", "Oliehandel"),
        ("bodem", "vloeistofdichte-vloeren", "externe-veiligheid"),
        ("verkoop van motorbrandstoffen",),
        4,
    ),
    Sector(
        "transporteur",
        ("4941",),
        ("Transport", "Logistiek", "Internationaal Transport", "Expeditie"),
        ("afval", "arbeidsomstandigheden"),
        ("goederenvervoer over de weg",),
        8,
    ),
    Sector(
        "webwinkel",
        ("4791",),
        ("Webshop", "Online", "Trading", "Import & Export"),
        ("e-steps", "helmen", "f-gassen"),
        ("detailhandel via internet",),
        8,
    ),
    Sector(
        "bouwbedrijf",
        ("4120", "4399"),
        ("Bouw", "Bouwbedrijf", "Aannemingsbedrijf", "Renovatie"),
        ("arbeidsomstandigheden", "asbest"),
        ("bouw van gebouwen",),
        12,
        "afval",
    ),
    Sector(
        "horeca",
        ("5610",),
        ("Eethuis", "Grillroom", "Brasserie", "Lunchroom"),
        ("arbeidsomstandigheden",),
        ("restaurant",),
        8,
    ),
)

WASTE_CODES = (
    ("17 05 04", "grond en stenen"),
    ("17 09 04", "gemengd bouw- en sloopafval"),
    ("17 06 05*", "asbesthoudende bouwmaterialen"),
    ("16 01 04*", "afgedankte voertuigen"),
    ("13 02 05*", "afgewerkte motorolie"),
    ("20 03 01", "gemengd stedelijk afval"),
    ("19 12 12", "overig afval van mechanische behandeling"),
    ("17 04 05", "ijzer en staal"),
)
MANURE_CODES = (
    ("RVO-14", "drijfmest melk- en kalfkoeien"),
    ("RVO-46", "drijfmest vleesvarkens"),
    ("RVO-50", "drijfmest zeugen"),
    ("RVO-13", "vaste mest graasdieren"),
)

PLACE_WORDS = (
    "Noord",
    "Zuid",
    "West",
    "Oost",
    "Delta",
    "Rijnmond",
    "Kempen",
    "Veluwe",
    "Polder",
    "Haven",
    "IJssel",
    "Maas",
)
BRAND_WORDS = (
    "Eco",
    "Pro",
    "Groen",
    "Prima",
    "Euro",
    "Top",
    "Total",
    "Smart",
    "Blue",
    "Nova",
    "Quality",
    "Dutch",
)
EXTRA_SURNAMES = (
    "'t Hart",
    "Daniëls",
    "Boër",
    "van 't Veer",
    "Çelik",
    "Müller",
    "de Groot-Ünal",
    "Hoëlle",
    "d'Ancona",
)

FINDINGS = {
    "afval": (
        "Afvalstoffen buiten de vergunde opslag aangetroffen.",
        "Afvalstoffenregister niet bijgehouden.",
        "Meer afval opgeslagen dan vergund.",
        "Geen melding bij het LMA van ontvangen afval.",
    ),
    "bodem": (
        "Bodembeschermende voorziening beschadigd.",
        "Lekbak ontbreekt onder opslag olie.",
        "Grond zonder bodemkwaliteitsverklaring toegepast.",
    ),
    "asbest": (
        "Asbest verwijderd zonder inventarisatierapport.",
        "Asbestafval niet gescheiden afgevoerd.",
        "Werkgebied niet afgeschermd tijdens sanering.",
    ),
    "f-gassen": (
        "Logboek koelinstallatie ontbreekt.",
        "Lekdichtheidscontrole niet uitgevoerd.",
        "Koelmiddel verkocht aan niet-gecertificeerde afnemer.",
    ),
    "mest": (
        "Mestboekhouding niet sluitend.",
        "Vervoersbewijs dierlijke meststoffen ontbreekt.",
        "Meer mest afgevoerd dan geproduceerd kan zijn.",
    ),
    "gewasbescherming": ("Niet-toegelaten middel aangetroffen.", "Spuitlicentie ontbreekt."),
    "brzo": ("Veiligheidsbeheersysteem niet actueel.", "Scenario's in het veiligheidsrapport onvolledig."),
    "vloeistofdichte-vloeren": (
        "Verklaring vloeistofdichte voorziening verlopen.",
        "Scheuren in vloer bij afleverpunt.",
    ),
    "e-steps": ("E-steps zonder typegoedkeuring te koop aangeboden.",),
    "helmen": ("Helmen zonder ECE-markering in de verkoop.",),
    "arbeidsomstandigheden": (
        "Geen risico-inventarisatie en -evaluatie.",
        "Valgevaar onvoldoende beheerst.",
        "Werknemers zonder geldige tewerkstellingsvergunning.",
    ),
    "externe-veiligheid": (
        "Opslag gevaarlijke stoffen niet conform PGS 15.",
        "Brandblusvoorziening ontbreekt.",
    ),
}
CLEAN_FINDINGS = "Geen overtredingen geconstateerd."
REPORT_TEXTS = (
    "Stankoverlast gemeld door omwonenden.",
    "Melding van lozing in de sloot.",
    "Zwarte rook boven het terrein.",
    "Vrachtwagens laden 's nachts afval.",
    "Geluidsoverlast door vrachtverkeer.",
    "Anonieme tip over illegale opslag.",
    "Stofoverlast bij sloopwerkzaamheden.",
    "Vaten met onbekende inhoud op het terrein.",
)

"""Closed lists of the domain: organisation kinds, legal domains, confidentiality, outcomes."""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    """What kind of body an organisation is."""

    OMGEVINGSDIENST = "omgevingsdienst"
    RIJKSINSPECTIE = "rijksinspectie"
    BIJZONDERE_OPSPORINGSDIENST = "bijzondere-opsporingsdienst"
    POLITIE = "politie"
    OPENBAAR_MINISTERIE = "openbaar-ministerie"
    GEMEENTE = "gemeente"
    PROVINCIE = "provincie"
    WATERSCHAP = "waterschap"
    RIEC = "riec"
    LIEC = "liec"
    DOUANE = "douane"
    BELASTINGDIENST = "belastingdienst"
    BASISREGISTRATIE = "basisregistratie"
    UITVOERINGSORGANISATIE = "uitvoeringsorganisatie"


class LegalDomain(StrEnum):
    """Administrative or criminal law; a real organisation may have a unit on each side."""

    BESTUURSRECHT = "bestuursrecht"
    STRAFRECHT = "strafrecht"


class Confidentiality(StrEnum):
    """Confidentiality levels after ZGW's vertrouwelijkheidaanduiding, lowest first."""

    OPENBAAR = "openbaar"
    BEPERKT_OPENBAAR = "beperkt_openbaar"
    INTERN = "intern"
    ZAAKVERTROUWELIJK = "zaakvertrouwelijk"
    VERTROUWELIJK = "vertrouwelijk"
    CONFIDENTIEEL = "confidentieel"
    GEHEIM = "geheim"
    ZEER_GEHEIM = "zeer_geheim"

    @property
    def rank(self) -> int:
        """Position in the order openbaar (0) … zeer geheim (7), for clearance checks."""
        return list(Confidentiality).index(self)


class RecordKind(StrEnum):
    """The kinds of partner record plein holds."""

    INSPECTIE = "inspectie"
    VERGUNNING = "vergunning"
    MELDING = "melding"
    TRANSPORT = "transport"


class InspectionOutcome(StrEnum):
    """Outcome of an inspection, in plein's own code list."""

    GEEN_OVERTREDING = "geen_overtreding"
    OVERTREDING = "overtreding"
    WAARSCHUWING = "waarschuwing"
    LAST_ONDER_DWANGSOM = "last_onder_dwangsom"
    BESTUURSLIJKE_BOETE = "bestuurlijke_boete"
    PROCES_VERBAAL = "proces_verbaal"


class Severity(StrEnum):
    """How serious a finding is."""

    GEEN = "geen"
    LAAG = "laag"
    MIDDEL = "middel"
    HOOG = "hoog"
    ZEER_HOOG = "zeer_hoog"


class TransportMaterial(StrEnum):
    """What a transport carries."""

    AFVAL = "afval"
    MEST = "mest"


class LegalEntityLinkKind(StrEnum):
    """How two legal entities relate."""

    EIGENDOM = "eigendom"
    OPVOLGING = "opvolging"


class PersonRole(StrEnum):
    """How a person relates to a legal entity."""

    EIGENAAR = "eigenaar"
    BESTUURDER = "bestuurder"
    AANDEELHOUDER = "aandeelhouder"
    VENNOOT = "vennoot"


LEGAL_FORMS = {
    "eenmanszaak": "Eenmanszaak",
    "vof": "Vennootschap onder firma",
    "cv": "Commanditaire vennootschap",
    "bv": "Besloten vennootschap",
    "nv": "Naamloze vennootschap",
    "stichting": "Stichting",
    "vereniging": "Vereniging",
    "cooperatie": "Coöperatie",
    "maatschap": "Maatschap",
}


class RunStatus(StrEnum):
    """Where a run stands: an import batch, an import run, a crawl, a resolution run (one list for all)."""

    RUNNING = "bezig"
    DONE = "voltooid"
    INCOMPLETE = "onvolledig"  # an import whose counts do not add up to the file's lines: never 'voltooid'
    INTERRUPTED = "onderbroken"
    FAILED = "mislukt"
    REFUSED = "geweigerd"


class BatchKind(StrEnum):
    """What delivered an import batch."""

    DEMO = "demo"  # a synthetic demo world
    IMPORT = "import"  # a partner's file
    CRAWL = "crawl"  # internettoezicht

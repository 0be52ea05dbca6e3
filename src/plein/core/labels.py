"""Dutch labels for the codes plein stores, in one place: pages show labels, never codes.

One table per enumeration or code list; ``label(code)`` looks a code up in all of them (the codes
are distinct across lists where they would be shown side by side) and falls back to the code with
its underscores turned into spaces, so an unknown code still reads as words. Number and date
formatting for people (decimal comma, thousands dot, dd-mm-jjjj, Europe/Amsterdam) live here too,
so pages and the command line format alike.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from plein.core.vocabulary import Confidentiality, InspectionOutcome, Severity

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

CONFIDENTIALITY = {
    Confidentiality.OPENBAAR: "openbaar",
    Confidentiality.BEPERKT_OPENBAAR: "beperkt openbaar",
    Confidentiality.INTERN: "intern",
    Confidentiality.ZAAKVERTROUWELIJK: "zaakvertrouwelijk",
    Confidentiality.VERTROUWELIJK: "vertrouwelijk",
    Confidentiality.CONFIDENTIEEL: "confidentieel",
    Confidentiality.GEHEIM: "geheim",
    Confidentiality.ZEER_GEHEIM: "zeer geheim",
}
OUTCOMES = {
    InspectionOutcome.GEEN_OVERTREDING: "geen overtreding",
    InspectionOutcome.OVERTREDING: "overtreding",
    InspectionOutcome.WAARSCHUWING: "waarschuwing",
    InspectionOutcome.LAST_ONDER_DWANGSOM: "last onder dwangsom",
    InspectionOutcome.BESTUURSLIJKE_BOETE: "bestuurlijke boete",
    InspectionOutcome.PROCES_VERBAAL: "proces-verbaal",
}
SEVERITIES = {
    Severity.GEEN: "geen",
    Severity.LAAG: "laag",
    Severity.MIDDEL: "middel",
    Severity.HOOG: "hoog",
    Severity.ZEER_HOOG: "zeer hoog",
}
ROLES = {
    "analist": "analist",
    "inspecteur": "inspecteur",
    "casusregisseur": "casusregisseur",
    "beleidsmedewerker": "beleidsmedewerker",
    "privacy_officer": "privacy officer",
    "beheerder": "beheerder",
    "systeem": "systeem",
}
COLLABORATION_KINDS = {
    "thematische_tafel": "thematische tafel",
    "handhavingsknelpunt": "handhavingsknelpunt (RIEC)",
}
# The kinds of personal data the scrubber removes from web offers (Presidio entity names).
PERSONAL_DATA = {
    "PERSON": "naam",
    "EMAIL_ADDRESS": "e-mailadres",
    "PHONE_NUMBER": "telefoonnummer",
    "IBAN_CODE": "IBAN",
    "BSN": "BSN",
    "ADDRESS": "adres",
    "POSTCODE": "postcode",
}
# A crawl's counters, as ``webwatch.crawl.runner`` and ``webwatch.service.finish_crawl`` store them.
CRAWL_COUNTERS = {
    "verzoeken": "verzoeken",
    "uit_bewijs": "uit bewijs hergebruikt",
    "robots_geweigerd": "geweigerd door robots.txt",
    "reden": "reden van einde",
    "pagina's": "pagina's",
    "aanbiedingen": "aanbiedingen",
    "problemen": "problemen",
    "finished": "afgerond",
    "shutdown": "onderbroken",
}
# Refusal rules of the policy gate and statuses of the audit log.
RULES = {
    "rol": "rol",
    "doel": "doel",
    "csrf": "formuliercontrole (CSRF)",
    "ok": "gelukt",
    "geweigerd": "geweigerd",
    "fout": "fout",
}
TABLES: tuple[dict[str, str], ...] = (
    {str(k): v for k, v in CONFIDENTIALITY.items()},
    {str(k): v for k, v in OUTCOMES.items()},
    {str(k): v for k, v in SEVERITIES.items()},
    ROLES,
    COLLABORATION_KINDS,
    PERSONAL_DATA,
    CRAWL_COUNTERS,
    RULES,
)
ALL: dict[str, str] = {k: v for table in TABLES for k, v in table.items()}


def label(code: object) -> str:
    """The Dutch label of a code; an unknown code with its underscores read as spaces."""
    if code is None:
        return ""
    text = str(code)
    return ALL.get(text, text.replace("_", " "))


def number(value: float | int | None, decimals: int = 0) -> str:
    """``12.345`` and ``3,50``: a thousands dot and a decimal comma."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def plural(count: int | None, singular: str, many: str) -> str:
    """``1 vestiging``, ``2.000 vestigingen``."""
    if count is None:
        return many
    return f"{number(count)} {singular if count == 1 else many}"


def local(moment: dt.datetime) -> dt.datetime:
    """A stored moment in Dutch local time (a naive moment is taken as UTC, as plein stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(AMSTERDAM)


def date(value: dt.date | dt.datetime | str | None) -> str:
    """``dd-mm-jjjj``; a moment in Dutch local time; an ISO string is read first."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        value = local(value)
    return value.strftime("%d-%m-%Y")


def moment(value: dt.datetime | str | None, seconds: bool = False) -> str:
    """``dd-mm-jjjj uu:mm`` in Europe/Amsterdam."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    return local(value).strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")


_RULE_PREFIX = re.compile(r"^regel [\w-]+:\s*")
_DECIMAL = re.compile(r"(\d)\.(\d)")


def reason(text: str) -> str:
    """A stored classification reason for people: without its rule id, with a decimal comma.

    ``regel prijs_onder_markt: Prijs ver onder …`` reads ``Prijs ver onder …``; ``kans 0.83`` reads ``kans 0,83``."""
    return _DECIMAL.sub(r"\1,\2", _RULE_PREFIX.sub("", text))

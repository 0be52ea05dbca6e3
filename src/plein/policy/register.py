"""Default register of processing activities (verwerkingsregister, AVG art. 30).

Seeded by the access migration; a beheerder may add more. ``scope`` says what the activity reaches
(see ``ProcessingActivity``); ``roles`` which roles may work under it.
"""

from __future__ import annotations

from typing import Any

from plein.policy.roles import Role
from plein.policy.scopes import ScopeKind

TOEZICHT = "toezicht"
STURING = "sturing"
PRIVACY = "privacy-toezicht"
BEHEER = "beheer"
AANLEVERING = "gegevensaanlevering"
RESOLUTIE = "entiteitsresolutie"
TAFEL = "thematische-tafel"
KNELPUNT = "wgs-knelpunt"

CASE = [Role.ANALIST.value, Role.INSPECTEUR.value, Role.CASUSREGISSEUR.value]

DEFAULT_ACTIVITIES: list[dict[str, Any]] = [
    {
        "code": TOEZICHT,
        "scope": ScopeKind.OWN_ORGANISATION,
        "roles": CASE,
        "name": "Toezicht en handhaving door de eigen organisatie",
        "purpose": "Uitvoeren van de eigen wettelijke toezichts- en handhavingstaak met de eigen registraties.",
        "legal_basis": "art. 6(1)(e) AVG; de eigen taakwet van de organisatie",
    },
    {
        "code": TAFEL,
        "scope": ScopeKind.COLLABORATION,
        "roles": CASE,
        "name": "Samenwerking aan een thematische tafel",
        "purpose": "Van signaal tot interventie samenwerken aan één thema, binnen de scope van de tafel.",
        "legal_basis": "Convenant gegevensuitwisseling en samenwerking 2020; per partnerpaar de matrix",
    },
    {
        "code": KNELPUNT,
        "scope": ScopeKind.COLLABORATION,
        "roles": CASE,
        "name": "Handhavingsknelpunt van een RIEC (Wgs)",
        "purpose": "Gezamenlijke aanpak van een aangewezen handhavingsknelpunt, binnen scope en periode.",
        "legal_basis": "Wet gegevensverwerking door samenwerkingsverbanden (Wgs)",
    },
    {
        "code": STURING,
        "scope": ScopeKind.AGGREGATE,
        "roles": [Role.BELEIDSMEDEWERKER.value],
        "name": "Sturing en beleidsinformatie",
        "purpose": "Trends, statistiek en effectiviteit; uitsluitend geaggregeerd, kleine aantallen onderdrukt.",
        "legal_basis": "art. 6(1)(e) en 89 AVG",
    },
    {
        "code": PRIVACY,
        "scope": ScopeKind.AUDIT,
        "roles": [Role.PRIVACY_OFFICER.value],
        "name": "Toezicht op de verwerking (FG)",
        "purpose": "Controle van het verwerkingenlogboek en beantwoorden van verzoeken van betrokkenen.",
        "legal_basis": "art. 5(2), 30, 15 en 39 AVG",
    },
    {
        "code": BEHEER,
        "scope": ScopeKind.CONFIGURATION,
        "roles": [Role.BEHEERDER.value],
        "name": "Functioneel beheer",
        "purpose": "Organisaties, gebruikers, samenwerkingen en rechtsgrondslagen beheren; geen casusinhoud.",
        "legal_basis": "art. 32 AVG",
    },
    {
        "code": AANLEVERING,
        "scope": ScopeKind.OWN_ORGANISATION,
        "roles": [Role.SYSTEEM.value],
        "name": "Aanlevering van gegevens door een partner of webscrape",
        "purpose": "Inlezen, valideren en vastleggen van registraties met herkomst.",
        "legal_basis": "art. 6(1)(e) AVG; de eigen taakwet van de aanleverende organisatie",
    },
    {
        "code": RESOLUTIE,
        "scope": ScopeKind.ALL,
        "roles": [Role.SYSTEEM.value],
        "name": "Entiteitsresolutie",
        "purpose": "Registraties van partners koppelen aan dezelfde onderneming of vestiging; geen weergave.",
        "legal_basis": "art. 5(1)(d) en 6(1)(e) AVG (juistheid)",
    },
]

# The purpose a role works under when a request states none.
DEFAULT_PURPOSE = {
    Role.ANALIST: TOEZICHT,
    Role.INSPECTEUR: TOEZICHT,
    Role.CASUSREGISSEUR: TOEZICHT,
    Role.BELEIDSMEDEWERKER: STURING,
    Role.PRIVACY_OFFICER: PRIVACY,
    Role.BEHEERDER: BEHEER,
    Role.SYSTEEM: AANLEVERING,
}

"""Default register of processing activities (verwerkingsregister, AVG art. 30).

Seeded by the access migration; a beheerder may add more. ``scope`` says what the activity reaches
(see ``ProcessingActivity``); ``roles`` which roles may work under it. ``OPERATIONS`` says which
roles may perform which operation within a purpose (write, share, label an offer, start a crawl).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
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
BEWIJS = "bewijsvoering"
RETENTIE = "bewaartermijnen"

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
        "code": BEWIJS,
        "scope": "eigen_organisatie",
        "roles": [Role.INSPECTEUR.value],
        "name": "Bewijsvoering met onbewerkte bronpagina's",
        "purpose": "De onbewerkte, opgehaalde webpagina inzien als bewijs voor opsporing of een handhavingsbesluit; "
        "per inzage een vastgelegde reden. Zonder dit doel toont plein de pagina zonder persoonsgegevens.",
        "legal_basis": "art. 6(1)(e) AVG; art. 5:17 Awb en de taakwet; bij opsporing het Wetboek van Strafvordering",
    },
    {
        "code": RETENTIE,
        "scope": "alle",
        "roles": [Role.SYSTEEM.value],
        "name": "Bewaartermijnen bewaken",
        "purpose": "Verlopen registraties, webaanbod, bewijs en quarantaine verwijderen of pseudonimiseren, "
        "en gedeelde registraties van afgelopen samenwerkingen ontkoppelen.",
        "legal_basis": "art. 5(1)(e) AVG (opslagbeperking)",
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


class Operation(StrEnum):
    """What a role may do within a purpose beyond reading what it fits: the register's role rules.

    The gate checks these (``Gate.permit``); routes declare them and services ask the gate, so who may
    do what is written here once.
    """

    CASE_CONTENT = "casusinhoud"  # see records and subjects (under a case purpose)
    RECORD_WRITE = "registratie-vastleggen"  # create or change records of the own organisation
    SHARE = "registratie-delen"  # share own records into a collaboration
    LABEL_OFFER = "aanbod-beoordelen"  # correct the verdict on a web offer (internet supervision)
    START_CRAWL = "crawl-starten"  # start a crawl of web shops (internet supervision)
    ALL_COLLABORATIONS = "alle-samenwerkingen"  # list every collaboration (configuration, no content)


@dataclass(frozen=True, slots=True)
class OperationRule:
    """The roles that may perform an operation, and the Dutch refusal for everyone else."""

    roles: frozenset[Role]
    refusal: str


OPERATIONS: dict[Operation, OperationRule] = {
    Operation.CASE_CONTENT: OperationRule(
        frozenset({Role.ANALIST, Role.INSPECTEUR, Role.CASUSREGISSEUR, Role.SYSTEEM}),
        "Uw rol geeft geen toegang tot registraties of subjecten.",
    ),
    Operation.RECORD_WRITE: OperationRule(
        frozenset({Role.INSPECTEUR, Role.SYSTEEM}), "Uw rol mag geen registraties vastleggen of wijzigen."
    ),
    Operation.SHARE: OperationRule(
        frozenset({Role.ANALIST, Role.INSPECTEUR, Role.CASUSREGISSEUR}), "Uw rol mag geen registraties delen."
    ),
    Operation.LABEL_OFFER: OperationRule(
        frozenset({Role.ANALIST, Role.INSPECTEUR}), "Alleen analisten en inspecteurs mogen een beoordeling corrigeren."
    ),
    Operation.START_CRAWL: OperationRule(frozenset({Role.ANALIST}), "Alleen analisten starten crawls."),
    Operation.ALL_COLLABORATIONS: OperationRule(
        frozenset({Role.BEHEERDER}), "Alleen een beheerder ziet alle samenwerkingen."
    ),
}


def may(role: Role, operation: Operation) -> bool:
    """Whether ``role`` may perform ``operation`` (the register's role rule)."""
    return role in OPERATIONS[operation].roles

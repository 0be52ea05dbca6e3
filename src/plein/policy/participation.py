"""Who exchanges data in a collaboration: the statutory RIEC participants of the Wgs, and the rest.

The RIEC brochure (``seeds/002``) names the statutory participants: all municipalities and
provinces, the police, the public prosecutor, the Belastingdienst, the Arbeidsinspectie, Douane,
FIOD, UWV, IND, the Koninklijke Marechaussee and the NVWA. Other (regional) organisations may work
with them "zonder uitwisseling van gegevens". The RIEC and LIEC bureaus are part of one of the
participants and carry out the analysis, so they count as exchanging too.

Each participant of a collaboration records whether it exchanges data or only takes part; the gate
lets only exchanging participants receive and contribute shared records. In a Wgs
handhavingsknelpunt only a statutory participant can exchange; in a thematic table the covenant
matrix decides per pair, and a participant may still be set to take part without exchange.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Protocol

from plein.core.vocabulary import OrganisationKind

K = OrganisationKind


class OrganisationLike(Protocol):
    """What the rule reads of an organisation (an ``Organisation`` row, or a migration's plain row)."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def parent(self) -> OrganisationLike | None: ...


class Participation(StrEnum):
    """How an organisation takes part in a collaboration."""

    UITWISSELING = "uitwisseling"
    ZONDER_UITWISSELING = "zonder_uitwisseling"

    @property
    def label(self) -> str:
        """The Dutch text shown to users."""
        return PARTICIPATION_LABELS[self]


PARTICIPATION_LABELS = {
    Participation.UITWISSELING: "wisselt gegevens uit",
    Participation.ZONDER_UITWISSELING: "neemt deel zonder uitwisseling van gegevens",
}

# Kinds of organisation that are statutory participants as a whole.
STATUTORY_KINDS = frozenset(
    {
        K.GEMEENTE,
        K.PROVINCIE,
        K.POLITIE,
        K.OPENBAAR_MINISTERIE,
        K.BELASTINGDIENST,
        K.DOUANE,
        K.RIEC,
        K.LIEC,
    }
)

# Statutory bodies inside kinds that also hold non-statutory ones (an inspectorate, an agency):
# recognised by a word of their code or a phrase of their name, and so are their units.
STATUTORY_BODIES: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("Nederlandse Voedsel- en Warenautoriteit", frozenset({"NVWA"}), ("voedsel- en warenautoriteit",)),
    ("Nederlandse Arbeidsinspectie", frozenset({"NLA", "SZW"}), ("arbeidsinspectie",)),
    ("FIOD", frozenset({"FIOD"}), ("fiscale inlichtingen- en opsporingsdienst",)),
    ("UWV", frozenset({"UWV"}), ("uitvoeringsinstituut werknemersverzekeringen",)),
    ("IND", frozenset({"IND"}), ("immigratie- en naturalisatiedienst",)),
    ("Koninklijke Marechaussee", frozenset({"KMAR"}), ("marechaussee",)),
)


def _statutory_body(org: OrganisationLike) -> str | None:
    words = set(re.split(r"[^A-Z0-9]+", org.code.upper()))
    name = org.name.lower()
    for label, codes, phrases in STATUTORY_BODIES:
        if words & codes or any(phrase in name for phrase in phrases):
            return label
    return None


def statutory_participant(org: OrganisationLike) -> str | None:
    """The statutory Wgs participant ``org`` is (or is a unit of), as a Dutch name; None if none."""
    seen: set[int] = set()
    current: OrganisationLike | None = org
    while current is not None and current.id not in seen:
        seen.add(current.id)
        if current.kind in STATUTORY_KINDS:
            return OrganisationKind(current.kind).value
        body = _statutory_body(current)
        if body:
            return body
        current = current.parent
    return None


def is_statutory(org: OrganisationLike) -> bool:
    """True for a statutory participant of the RIEC cooperation (Wgs)."""
    return statutory_participant(org) is not None


def default_participation(org: OrganisationLike, *, wgs: bool) -> Participation:
    """Exchanging for a statutory participant of a Wgs collaboration and for any table participant."""
    if wgs and not is_statutory(org):
        return Participation.ZONDER_UITWISSELING
    return Participation.UITWISSELING

"""Who is asking: roles, the actor, and the stated purpose of a request.

An ``Actor`` and a ``Purpose`` are plain values so that services, CLI commands and background
pipelines can build them without a web request or a database row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from plein.core.vocabulary import Confidentiality


class Role(StrEnum):
    """The roles of DESIGN.md; ``systeem`` is for pipelines (ingest, webwatch, resolution)."""

    ANALIST = "analist"
    INSPECTEUR = "inspecteur"
    CASUSREGISSEUR = "casusregisseur"
    BELEIDSMEDEWERKER = "beleidsmedewerker"
    PRIVACY_OFFICER = "privacy_officer"
    BEHEERDER = "beheerder"
    SYSTEEM = "systeem"

    @property
    def label(self) -> str:
        """The Dutch name shown to users."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ANALIST: "Analist",
    Role.INSPECTEUR: "Inspecteur / toezichthouder",
    Role.CASUSREGISSEUR: "Casusregisseur / tafelmanager",
    Role.BELEIDSMEDEWERKER: "Beleidsmedewerker",
    Role.PRIVACY_OFFICER: "Privacy officer (FG)",
    Role.BEHEERDER: "Beheerder",
    Role.SYSTEEM: "Systeemproces",
}


@cache
def _levels_upto(clearance: Confidentiality) -> tuple[str, ...]:
    order = list(Confidentiality)
    return tuple(level.value for level in order[: order.index(clearance) + 1])


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or pipeline) on whose behalf the gate decides.

    ``organisation_id`` is None only for platform-wide system processes (entity resolution).
    ``clearance`` is the highest confidentiality level the actor may read.
    """

    user_id: int | None
    organisation_id: int | None
    role: Role
    clearance: Confidentiality = Confidentiality.VERTROUWELIJK
    username: str = ""
    organisation_code: str = ""  # for the audit log; looked up when empty

    @classmethod
    def system(
        cls,
        name: str,
        organisation_id: int | None = None,
        clearance: Confidentiality = Confidentiality.ZEER_GEHEIM,
    ) -> Actor:
        """An actor for a pipeline, e.g. ``Actor.system("ingest", organisation_id=org.id)``."""
        return cls(
            user_id=None,
            organisation_id=organisation_id,
            role=Role.SYSTEEM,
            clearance=clearance,
            username=f"systeem:{name}",
        )

    def readable_levels(self) -> list[str]:
        """Confidentiality values at or below this actor's clearance."""
        return list(_levels_upto(self.clearance))


@dataclass(frozen=True, slots=True)
class Purpose:
    """Why data is processed: a collaboration, or a processing activity from the register (AVG art. 30).

    Build with ``Purpose.for_collaboration(12)`` or ``Purpose.for_activity("toezicht")``.
    """

    activity_code: str | None = None
    collaboration_id: int | None = None

    def __post_init__(self) -> None:
        if (self.activity_code is None) == (self.collaboration_id is None):
            raise ValueError("A purpose is either a processing activity or a collaboration, not both or neither.")

    @classmethod
    def for_activity(cls, code: str) -> Purpose:
        """A processing activity from the register, e.g. ``toezicht``, ``sturing``, ``beheer``."""
        return cls(activity_code=code)

    @classmethod
    def for_collaboration(cls, collaboration_id: int) -> Purpose:
        """Work inside one collaboration (thematic table or handhavingsknelpunt)."""
        return cls(collaboration_id=collaboration_id)

    def describe(self) -> str:
        """``samenwerking:12`` or ``toezicht``: how the purpose is written in the audit log."""
        if self.collaboration_id is not None:
            return f"samenwerking:{self.collaboration_id}"
        return str(self.activity_code)

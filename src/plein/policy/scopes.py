"""What a processing activity reaches: the closed list of the gate's scope kinds."""

from __future__ import annotations

from enum import StrEnum


class ScopeKind(StrEnum):
    """Stored in ``processing_activity.scope``; the gate turns each into a need-to-know rule."""

    OWN_ORGANISATION = "eigen_organisatie"  # the actor's own organisation's records
    COLLABORATION = "samenwerking"  # what participants shared into a collaboration
    AGGREGATE = "aggregaat"  # counts only, small cells suppressed
    AUDIT = "audit"  # the audit log (privacy officer)
    CONFIGURATION = "configuratie"  # beheer: users, organisations, sources, no records
    ALL = "alle"  # every record (platform processes such as entity resolution)

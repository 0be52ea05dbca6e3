"""Who may work on a source: only its own organisation's beheerder, decided and audited by the gate.

An import or a re-processed quarantine row writes records as the source organisation's system
actor, so the person who starts it must belong to that organisation: otherwise a beheerder of one
organisation could rewrite another's records by uploading a file to its source. Quarantined rows
are records-to-be (names, KvK numbers, findings): only the source's own organisation sees them,
and each showing is audited with the KvK numbers it contains as subjects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.ingest.mapping import Mapping
from plein.ingest.models import IngestSource, QuarantinedRow, QuarantineStatus
from plein.ingest.sources import source_mapping
from plein.policy.errors import Refused
from plein.policy.gate import Gate, Subject, acting_gate
from plein.policy.register import BEHEER
from plein.policy.roles import Actor
from plein.policy.scopes import ScopeKind

OTHER_ORGANISATION = (
    "Deze bron hoort bij een andere organisatie: alleen de beheerder van {organisation} mag er bestanden "
    "in inlezen, de mapping wijzigen of quarantaineregels verwerken."
)


def source_gate_for(session: Session, actor: Actor) -> Gate:
    """The configuration gate (purpose ``beheer``) of a person acting on a source outside a request."""
    return acting_gate(session, actor, BEHEER)


def is_own_source(gate: Gate, organisation_id: int) -> bool:
    """True when the gate's actor belongs to the organisation that delivers the source."""
    return gate.actor.organisation_id is not None and gate.actor.organisation_id == organisation_id


def authorise_source_work(
    gate: Gate, organisation_id: int, organisation_code: str, *, action: AuditAction, object_id: str
) -> None:
    """Allow an import, mapping change or quarantine correction for a source of ``organisation_id``.

    Refused (403, audited at once) for any other organisation; the allowed action is audited with
    the caller's commit.
    """
    gate.require(ScopeKind.CONFIGURATION, action)
    if not is_own_source(gate, organisation_id):
        message = OTHER_ORGANISATION.format(organisation=organisation_code)
        gate.audit(
            action,
            status="geweigerd",
            rule="eigen-organisatie",
            object_type="bron",
            object_id=object_id,
            details={"melding": message},
            durable=True,
        )
        raise Refused("eigen-organisatie", message)
    gate.audit(action, object_type="bron", object_id=object_id)


def authorise_for_source(gate: Gate, source: IngestSource, action: AuditAction) -> None:
    """``authorise_source_work`` for an existing source."""
    authorise_source_work(gate, source.organisation_id, source.organisation.code, action=action, object_id=source.code)


def authorise_actor_for_source(
    session: Session, actor: Actor | None, source: IngestSource, action: AuditAction
) -> None:
    """The service's own check of the person behind an import or correction (None: the platform's operator)."""
    if actor is not None:
        authorise_for_source(source_gate_for(session, actor), source, action)


def quarantine_subjects(mapping: Mapping, rows: Iterable[QuarantinedRow]) -> list[Subject]:
    """The KvK numbers in quarantined rows (the mapping's KvK column, or any column named like it)."""
    spec = mapping.fields.get("reported_kvk")
    columns = {spec.column} if spec is not None and spec.column else set()
    subjects: list[Subject] = []
    for row in rows:
        raw = row.raw or {}
        keys = columns | {k for k in raw if str(k).lower().replace("-", "").replace("_", "") in ("kvk", "kvknummer")}
        for key in sorted(keys):
            value = str(raw.get(key) or "").strip()
            if value:
                subjects.append(("kvk", value[:20]))
    return subjects


def read_quarantine(gate: Gate, source: IngestSource, *, limit: int = 50) -> Sequence[QuarantinedRow] | None:
    """The source's open quarantined rows for its own organisation, audited with their subjects.

    None (and nothing read) for anyone of another organisation: they see the counts, not the rows.
    """
    gate.require(ScopeKind.CONFIGURATION, AuditAction.QUARANTINE_VIEW)
    if not is_own_source(gate, source.organisation_id):
        return None
    rows = gate.session.scalars(
        select(QuarantinedRow)
        .where(QuarantinedRow.source_id == source.id, QuarantinedRow.status == QuarantineStatus.OPEN)
        .order_by(QuarantinedRow.id)
        .limit(limit)
    ).all()
    if rows:
        gate.audit(
            AuditAction.QUARANTINE_VIEW,
            object_type="bron",
            object_id=source.code,
            subjects=quarantine_subjects(source_mapping(source), rows),
            details={"quarantaineregels": [row.id for row in rows]},
        )
    return rows

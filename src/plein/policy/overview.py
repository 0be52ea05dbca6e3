"""The home page's counts, through the gate: what *this* actor may see, never the whole database."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from plein.audit.actions import AuditAction
from plein.core.models import Establishment, LegalEntity, Person, Record
from plein.core.vocabulary import RecordKind
from plein.policy.gate import Gate
from plein.policy.scopes import ScopeKind

RECORD_LABELS = {
    RecordKind.INSPECTIE: "Inspecties",
    RecordKind.VERGUNNING: "Vergunningen",
    RecordKind.MELDING: "Meldingen",
    RecordKind.TRANSPORT: "Transporten",
}


@dataclass(slots=True)
class Overview:
    """Counts per label (None = suppressed), and a note on what the counts cover."""

    subject_counts: list[tuple[str, int | None]] = field(default_factory=list)
    record_counts: list[tuple[str, int | None]] = field(default_factory=list)
    note: str = ""


def overview(gate: Gate) -> Overview:
    """Subject and record counts this actor may see under the gate's purpose (audited as one action)."""
    scope = gate.scope()
    result = Overview()
    if scope.kind in (ScopeKind.OWN_ORGANISATION, ScopeKind.COLLABORATION, ScopeKind.ALL):
        session = gate.session
        for label, model, clause in (
            ("Rechtspersonen", LegalEntity, gate.legal_entity_clause),
            ("Vestigingen", Establishment, gate.establishment_clause),
            ("Personen", Person, gate.person_clause),
        ):
            count = session.scalar(select(func.count()).select_from(model).where(clause(AuditAction.OVERVIEW_COUNT)))
            result.subject_counts.append((label, int(count or 0)))
        cells = {cell.key[0]: cell.count for cell in gate.aggregate([Record.kind], action=AuditAction.OVERVIEW_COUNT)}
        result.record_counts = [(label, cells.get(kind.value, 0)) for kind, label in RECORD_LABELS.items()]
        result.note = "Aantallen die u onder het gekozen doel mag zien."
    elif scope.kind == ScopeKind.AGGREGATE:
        cells = {cell.key[0]: cell.count for cell in gate.aggregate([Record.kind], action=AuditAction.OVERVIEW_COUNT)}
        result.record_counts = [(label, cells.get(kind.value, 0)) for kind, label in RECORD_LABELS.items()]
        result.note = f"Geaggregeerd; aantallen onder {gate.min_cell} worden niet getoond."
    else:
        result.note = "Uw rol werkt niet met registraties; daarom staan hier geen aantallen."
    return result

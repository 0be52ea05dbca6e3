"""Assemble one dossier: the subject, its succession chain, establishments, related subjects and the
timeline; read through the gate and audited once with every subject it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from plein.audit.actions import AuditAction
from plein.core.models import Establishment, LegalEntity
from plein.dossier.subjects import Related, SuccessionStep, dossier_establishments, related_subjects, succession_chain
from plein.dossier.timeline import NOT_YET_INCLUDED, DossierContext, TimelineItem, timeline
from plein.policy.gate import Gate
from plein.search.results import SubjectHit, load_hits


@dataclass
class Dossier:
    """Everything the user may see about one establishment and its legal entity."""

    subject: SubjectHit
    legal_entity: dict[str, Any] | None
    establishments: list[SubjectHit]
    successions: list[SuccessionStep]
    related: list[Related]
    items: list[TimelineItem]
    not_included: tuple[str, ...] = field(default=NOT_YET_INCLUDED)

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject.as_json(),
            "rechtspersoon": self.legal_entity,
            "vestigingen": [h.as_json() for h in self.establishments],
            "opvolging": [s.__dict__ for s in self.successions],
            "gerelateerd": [
                {"soort": r.kind, "id": r.ident, "naam": r.label, "relatie": r.relation} for r in self.related
            ],
            "tijdlijn": [i.as_json() for i in self.items],
            "nietOpgenomen": list(self.not_included),
        }


def build_dossier(gate: Gate, establishment_id: int, *, with_persons: bool = False) -> Dossier:
    """The dossier of a visible establishment; NotVisible (404) otherwise, audited either way."""
    establishment: Establishment = gate.read_subject(Establishment, establishment_id, action=AuditAction.DOSSIER_OPEN)
    chain: list[int] = []
    successions: list[SuccessionStep] = []
    legal: dict[str, Any] | None = None
    if establishment.legal_entity_id is not None:
        chain, successions = succession_chain(gate, establishment.legal_entity_id)
        entity = gate.session.scalars(
            gate.legal_entities(select(LegalEntity).where(LegalEntity.id == establishment.legal_entity_id))
        ).first()
        if entity is not None:
            legal = {
                "id": entity.id,
                "naam": entity.name,
                "kvkNummer": entity.kvk,
                "rechtsvorm": entity.legal_form,
                "ingeschreven": entity.registered_on.isoformat() if entity.registered_on else None,
                "opgeheven": entity.dissolved_on.isoformat() if entity.dissolved_on else None,
            }
    est_ids = dossier_establishments(gate, establishment_id, chain)
    hits = load_hits(gate.session, est_ids)
    kvks = sorted({h.kvk for h in hits.values() if h.kvk})
    entity_ids = chain or ([establishment.legal_entity_id] if establishment.legal_entity_id is not None else [])
    ctx = DossierContext(gate, est_ids, kvks, entity_ids)
    items = timeline(ctx)
    dossier = Dossier(
        subject=hits[establishment_id],
        legal_entity=legal,
        establishments=[hits[i] for i in est_ids if i != establishment_id and i in hits],
        successions=successions,
        related=related_subjects(gate, chain, with_persons=with_persons),
        items=items,
    )
    subjects: list[tuple[str, object]] = [("vestiging", i) for i in est_ids] + [("kvk", k) for k in kvks]
    subjects += [("persoon" if r.kind == "persoon" else "rechtspersoon", r.ident) for r in dossier.related]
    gate.audit(
        AuditAction.DOSSIER_READ,
        object_type="vestiging",
        object_id=str(establishment_id),
        subjects=subjects,
        details={"registraties": len(items), "ids": [i.record_id for i in items[:200]]},
    )
    return dossier

"""The dossier timeline: items from several providers, each one small function over the gate.

A provider takes the dossier context and returns timeline items; adding a source (signals, cases,
interventions, web offers) is one function added to ``PROVIDERS``. Every provider filters through
the gate, so the timeline holds only what the user may see, each item with its provenance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from plein.audit.actions import AuditAction
from plein.core import labels
from plein.core.models import ImportBatch, Inspection, Permit, Record, Report, Transport, organisation_codes
from plein.policy.gate import Gate
from plein.resolve.models import LINKED, ResolveLink
from plein.webwatch.models import WebOffer
from plein.webwatch.visibility import visible_offers

MAX_ITEMS = 1_000
KIND_LABELS = {"inspectie": "Inspectie", "vergunning": "Vergunning", "melding": "Melding", "transport": "Transport"}


@dataclass
class DossierContext:
    """The subjects a dossier covers (all already visible)."""

    gate: Gate
    establishment_ids: list[int]
    kvks: list[str]
    legal_entity_ids: list[int] = field(default_factory=list)
    _codes: dict[int, str] | None = None

    def organisation_code(self, organisation_id: int) -> str:
        """The code of a source organisation (read once per dossier, shared by the providers)."""
        if self._codes is None:
            self._codes = organisation_codes(self.gate.session)
        return self._codes.get(organisation_id, "")


@dataclass
class TimelineItem:
    """One dated entry with where it came from."""

    date: dt.date
    kind: str
    title: str
    detail: str
    record_id: int | None
    establishment_id: int | None
    theme: str
    confidentiality: str
    source_organisation: str
    source_system: str
    import_batch: str
    received_at: str
    via: str
    outcome: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return Gate.scrub(
            {
                "datum": self.date.isoformat(),
                "soort": self.kind,
                "titel": self.title,
                "toelichting": self.detail,
                "registratie": self.record_id,
                "vestiging": self.establishment_id,
                "thema": self.theme,
                "vertrouwelijkheid": self.confidentiality,
                "uitkomst": self.outcome,
                "via": self.via,
                "herkomst": {
                    "organisatie": self.source_organisation,
                    "bronsysteem": self.source_system,
                    "aanlevering": self.import_batch,
                    "ontvangen": self.received_at,
                },
                **({"webaanbod": self.extra} if self.kind == "webaanbod" else {}),
            }
        )


Provider = Callable[[DossierContext], list[TimelineItem]]


def _describe(record: Record) -> tuple[str, str, str | None]:
    label = KIND_LABELS.get(record.kind, record.kind)
    if isinstance(record, Inspection):
        return f"{label}: {labels.label(record.outcome)}", record.findings, record.outcome
    if isinstance(record, Permit):
        return f"{label} {record.reference}: {record.status}", record.activity, None
    if isinstance(record, Report):
        return f"{label} via {record.channel}: {record.status}", record.description, None
    if isinstance(record, Transport):
        return f"{label} {record.material} {record.material_code}", f"{labels.number(record.quantity_kg)} kg", None
    return label, "", None


def _items(ctx: DossierContext, records: Sequence[Record], via: Callable[[Record], str]) -> list[TimelineItem]:
    session = ctx.gate.session
    batch_ids = {r.import_batch_id for r in records if r.import_batch_id}
    batches = dict(
        session.execute(
            select(ImportBatch.id, ImportBatch.description).where(ImportBatch.id.in_(batch_ids or {-1}))
        ).all()
    )
    items = []
    for record in records:
        title, detail, outcome = _describe(record)
        batch = ""
        if record.import_batch_id:
            batch = f"#{record.import_batch_id} {batches.get(record.import_batch_id, '')}".strip()
        items.append(
            TimelineItem(
                date=record.occurred_on,
                kind=record.kind,
                title=title,
                detail=detail,
                record_id=record.id,
                establishment_id=record.establishment_id,
                theme=record.theme_code,
                confidentiality=record.confidentiality,
                source_organisation=ctx.organisation_code(record.source_organisation_id),
                source_system=record.source_system,
                import_batch=batch,
                received_at=record.received_at.isoformat() if record.received_at else "",
                via=via(record),
                outcome=outcome,
            )
        )
    return items


def own_records(ctx: DossierContext) -> list[TimelineItem]:
    """Records about the establishments, and unlinked records that name one of the KvK numbers."""
    clause: ColumnElement[bool] = Record.establishment_id.in_(ctx.establishment_ids or [-1])
    if ctx.kvks:
        clause = or_(clause, and_(Record.establishment_id.is_(None), Record.reported_kvk.in_(ctx.kvks)))
    records = ctx.gate.session.scalars(
        ctx.gate.records(select(Record).where(clause)).order_by(Record.occurred_on.desc()).limit(MAX_ITEMS)
    ).all()
    return _items(ctx, records, lambda r: "vestiging" if r.establishment_id else "gemeld KvK-nummer")


def received_transports(ctx: DossierContext) -> list[TimelineItem]:
    """Transports that other establishments sent to this subject."""
    records = ctx.gate.session.scalars(
        ctx.gate.records(select(Transport).where(Transport.to_establishment_id.in_(ctx.establishment_ids or [-1])))
        .order_by(Record.occurred_on.desc())
        .limit(MAX_ITEMS)
    ).all()
    return _items(ctx, records, lambda r: "ontvanger van transport")


def resolution_links(ctx: DossierContext) -> list[TimelineItem]:
    """Records that entity resolution linked to these establishments (accepted or confirmed links)."""
    linked = select(ResolveLink.item_id).where(
        ResolveLink.item_kind == "record",
        ResolveLink.establishment_id.in_(ctx.establishment_ids or [-1]),
        ResolveLink.status.in_(LINKED),
    )
    records = ctx.gate.session.scalars(
        ctx.gate.records(select(Record).where(Record.id.in_(linked))).limit(MAX_ITEMS)
    ).all()
    return _items(ctx, records, lambda r: "gekoppeld door entiteitsresolutie")


def web_offers(ctx: DossierContext) -> list[TimelineItem]:
    """Offers from internet supervision by this legal entity (chain) or naming one of its KvK numbers."""
    gate = ctx.gate
    by_subject: list[ColumnElement[bool]] = []
    if ctx.legal_entity_ids:
        by_subject.append(WebOffer.legal_entity_id.in_(ctx.legal_entity_ids))
    if ctx.kvks:
        by_subject.append(WebOffer.seller_kvk.in_(ctx.kvks))
    if not by_subject:
        return []
    offers = gate.session.scalars(
        select(WebOffer)
        .where(or_(*by_subject), visible_offers(gate, AuditAction.DOSSIER_WEB_OFFERS))
        .order_by(WebOffer.first_seen.desc())
        .limit(MAX_ITEMS)
    ).all()
    items = []
    for offer in offers:
        price = f"€ {offer.price:,.2f}" if offer.price is not None else "prijs onbekend"
        verdict = "waarschijnlijke overtreding" if offer.likely_violation else "geen overtreding gevonden"
        items.append(
            TimelineItem(
                date=offer.first_seen.date(),
                kind="webaanbod",
                title=f"Webaanbod op {offer.platform or 'onbekend platform'}: {offer.title}"[:300],
                detail=f"{price}; {offer.status}; {verdict} (score {offer.score:.2f})",
                record_id=None,
                establishment_id=None,
                theme=offer.theme_code,
                confidentiality="intern",
                source_organisation=ctx.organisation_code(offer.source_organisation_id),
                source_system=offer.source_system,
                import_batch="",
                received_at=offer.received_at.isoformat() if offer.received_at else "",
                via="verkoper (KvK-nummer of rechtspersoon)",
                extra={"aanbod": offer.id, "url": offer.url, "redenen": list(offer.reasons)},
            )
        )
    return items


PROVIDERS: list[Provider] = [own_records, received_transports, resolution_links, web_offers]
NOT_YET_INCLUDED = ("signalen, zaken en interventies van thematische tafels (module nog niet beschikbaar)",)


def timeline(ctx: DossierContext, providers: Sequence[Provider] = PROVIDERS) -> list[TimelineItem]:
    """All providers' items, newest first, each record once (the first provider that found it wins)."""
    seen: set[int] = set()
    merged: list[TimelineItem] = []
    for provider in providers:
        for item in provider(ctx):
            if item.record_id is not None:
                if item.record_id in seen:
                    continue
                seen.add(item.record_id)
            merged.append(item)
    merged.sort(key=lambda i: (i.date, i.record_id or 0), reverse=True)
    return merged[:MAX_ITEMS]

"""Bulk and map search: the records (and establishments) in a city, municipality, postcode range,
KvK list, circle or drawn area, with filters, always restricted by the policy gate."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, union

from plein.audit.actions import AuditAction
from plein.core.models import Address, Establishment, Inspection, LegalEntity, Organisation, Record, organisation_codes
from plein.errors import ValidationError
from plein.policy.gate import Gate, record_subjects
from plein.resolve.models import LINKED, ResolveLink
from plein.search.criteria import Circle, PostcodeRange, RecordFilters
from plein.search.geo import Point, within_circle, within_polygon
from plein.search.places import resolve_place
from plein.search.results import SubjectHit, audit_subjects, count_visible_records, id_in, load_hits

MAX_EXPORT_ROWS = 100_000
MAX_MAP_POINTS = 2_000
ACCEPTED_LINKS = LINKED


@dataclass(frozen=True)
class Area:
    """Where to search; exactly one kind is set (checked by ``describe``)."""

    city: str = ""
    municipality: str = ""
    postcodes: PostcodeRange | None = None
    kvks: tuple[str, ...] = ()
    circle: Circle | None = None
    polygon: tuple[Point, ...] = ()

    def describe(self) -> dict[str, Any]:
        """The area for the audit log and the page; a ValidationError unless exactly one kind is given."""
        kinds: dict[str, Any] = {}
        if self.city:
            kinds["plaats"] = self.city
        if self.municipality:
            kinds["gemeente"] = self.municipality
        if self.postcodes:
            kinds["postcodes"] = f"{self.postcodes.start}–{self.postcodes.end}"
        if self.kvks:
            kinds["kvkNummers"] = len(self.kvks)
        if self.circle:
            c = self.circle
            kinds["cirkel"] = {"breedtegraad": c.latitude, "lengtegraad": c.longitude, "straal": c.radius_m}
        if self.polygon:
            kinds["gebied"] = len(self.polygon)
        if len(kinds) != 1:
            raise ValidationError(
                "Geef precies één zoekgebied: plaats, gemeente, postcodereeks, KvK-nummers, cirkel of gebied."
            )
        return kinds


@dataclass
class AreaResult:
    """A page of visible records, their total and facets, and the visible establishments in the area."""

    records: list[dict[str, Any]]
    total: int
    facets: dict[str, dict[str, int | None]]
    establishments: list[SubjectHit] = field(default_factory=list)
    establishments_total: int = 0
    criteria: dict[str, Any] = field(default_factory=dict)


def _geo(gate: Gate, area: Area) -> dict[int, float] | None:
    if area.circle:
        return within_circle(gate.session, area.circle)
    if area.polygon:
        return within_polygon(gate.session, area.polygon)
    return None


def establishment_filter(gate: Gate, area: Area, geo: dict[int, float] | None) -> ColumnElement[bool]:
    """Establishments in the area (not yet restricted by the gate)."""
    if geo is not None:
        return id_in(gate.session, Establishment.id, list(geo) or [-1])
    in_address = select(Address.id)
    if area.city:
        in_address = in_address.where(Address.city.in_(resolve_place(gate.session, area.city)))
    elif area.municipality:
        in_address = in_address.where(
            Address.municipality.in_(resolve_place(gate.session, area.municipality, municipality=True))
        )
    elif area.postcodes:
        in_address = in_address.where(Address.postcode.between(area.postcodes.start, area.postcodes.end))
    elif area.kvks:
        return Establishment.legal_entity_id.in_(select(LegalEntity.id).where(LegalEntity.kvk.in_(area.kvks)))
    return Establishment.address_id.in_(in_address)


def record_filter(filters: RecordFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses for the record filters."""
    clauses: list[ColumnElement[bool]] = []
    if filters.themes:
        clauses.append(Record.theme_code.in_(filters.themes))
    if filters.organisations:
        clauses.append(
            Record.source_organisation_id.in_(
                select(Organisation.id).where(Organisation.code.in_(filters.organisations))
            )
        )
    if filters.start:
        clauses.append(Record.occurred_on >= filters.start)
    if filters.end:
        clauses.append(Record.occurred_on <= filters.end)
    if filters.kinds:
        clauses.append(Record.kind.in_(filters.kinds))
    if filters.outcomes:
        clauses.append(Record.id.in_(select(Inspection.id).where(Inspection.outcome.in_(filters.outcomes))))
    return clauses


def _record_where(gate: Gate, area: Area, filters: RecordFilters, geo: dict[int, float] | None) -> ColumnElement[bool]:
    in_establishments = select(Establishment.id).where(establishment_filter(gate, area, geo))
    in_area: ColumnElement[bool] = Record.establishment_id.in_(in_establishments)
    # Records that resolution linked to an establishment in the area count too (ingested records arrive
    # without an establishment; the link, not the record, says where they belong).
    linked = select(ResolveLink.item_id).where(
        ResolveLink.item_kind == "record",
        ResolveLink.status.in_(ACCEPTED_LINKS),
        ResolveLink.establishment_id.in_(in_establishments),
    )
    if gate.session.scalar(select(linked.exists())):
        # One id set (a UNION), not an OR of two IN tests: with the OR both databases read every record
        # the user may see and test each; the union is built from the area and looked up by primary key.
        in_area = Record.id.in_(union(select(Record.id).where(in_area), linked))
    if area.kvks:
        in_area = or_(in_area, Record.reported_kvk.in_(area.kvks))
    return and_(in_area, *record_filter(filters))


def _count(gate: Gate, where: ColumnElement[bool]) -> int:
    counted = select(func.count()).select_from(gate.records(select(Record.id).where(where)).subquery())
    return int(gate.session.scalar(counted) or 0)


def record_rows(gate: Gate, records: Sequence[Record]) -> list[dict[str, Any]]:
    """Records with their establishment, address, KvK number, source organisation and outcome."""
    session = gate.session
    est_ids = {r.establishment_id for r in records if r.establishment_id is not None}
    hits = load_hits(session, sorted(est_ids))
    org_codes = organisation_codes(session)
    outcomes = dict(
        session.execute(
            select(Inspection.id, Inspection.outcome).where(Inspection.id.in_([r.id for r in records] or [-1]))
        ).all()
    )
    rows = []
    for record in records:
        hit = hits.get(record.establishment_id) if record.establishment_id is not None else None
        rows.append(
            Gate.scrub(
                {
                    "id": record.id,
                    "soort": record.kind,
                    "thema": record.theme_code,
                    "datum": record.occurred_on.isoformat(),
                    "uitkomst": outcomes.get(record.id),
                    "vertrouwelijkheid": record.confidentiality,
                    "bronorganisatie": org_codes.get(record.source_organisation_id, ""),
                    "bronsysteem": record.source_system,
                    "ontvangen": record.received_at.isoformat() if record.received_at else None,
                    "gemeldeNaam": record.reported_name,
                    "gemeldKvk": record.reported_kvk,
                    "vestiging": record.establishment_id,
                    "vestigingNaam": hit.name if hit else None,
                    "kvkNummer": hit.kvk if hit else None,
                    "vestigingsnummer": hit.establishment_number if hit else None,
                    "adres": hit.address if hit else None,
                    "plaats": hit.city if hit else None,
                    "gemeente": hit.municipality if hit else None,
                }
            )
        )
    return rows


def _page(gate: Gate, where: ColumnElement[bool], offset: int, limit: int, oldest_first: bool = False) -> list[Record]:
    """The newest (or oldest) visible records: ids first (answered from the need-to-know index), then the rows."""
    order = (
        (Record.occurred_on.asc(), Record.id.asc()) if oldest_first else (Record.occurred_on.desc(), Record.id.desc())
    )
    ids = list(
        gate.session.scalars(
            gate.records(select(Record.id).where(where)).order_by(*order).offset(offset).limit(limit)
        ).all()
    )
    if not ids:
        return []
    loaded = {r.id: r for r in gate.session.scalars(gate.records(select(Record).where(Record.id.in_(ids))))}
    return [loaded[i] for i in ids if i in loaded]


def search_area(
    gate: Gate,
    area: Area,
    filters: RecordFilters,
    *,
    limit: int = 20,
    offset: int = 0,
    with_establishments: bool = False,
    action: AuditAction = AuditAction.SEARCH_BULK,
    oldest_first: bool = False,
) -> AreaResult:
    """The visible records in ``area`` (newest first) and, for the map, the visible establishments."""
    criteria = {**area.describe(), **filters.describe()}
    geo = _geo(gate, area)
    where = _record_where(gate, area, filters, geo)
    cells = gate.aggregate([Record.theme_code, Record.kind], where=[where], action=action)
    facets: dict[str, dict[str, int | None]] = {"thema": {}, "soort": {}}
    for cell in cells:
        for name, key in (("thema", cell.key[0]), ("soort", cell.key[1])):
            known = facets[name].get(str(key), 0)
            facets[name][str(key)] = None if known is None or cell.count is None else known + cell.count
    counted = [cell.count for cell in cells]
    total = sum(c for c in counted if c is not None) if None not in counted else _count(gate, where)
    records = _page(gate, where, offset, limit, oldest_first) if total else []
    result = AreaResult(record_rows(gate, records), total, facets, criteria=criteria)
    if with_establishments:
        _establishments(gate, area, filters, geo, result)
    subjects = record_subjects(records)
    subjects += [("vestiging", hit.establishment_id) for hit in result.establishments]
    gate.audit(
        action,
        object_type="registratie",
        subjects=subjects,
        details={
            "criteria": criteria,
            "aantal": total,
            "getoond": len(records),
            "vestigingen": len(result.establishments),
        },
    )
    return result


def _establishments(
    gate: Gate, area: Area, filters: RecordFilters, geo: dict[int, float] | None, result: AreaResult
) -> None:
    """The visible establishments in the area; with record filters only those with a matching record."""
    query = select(Establishment.id).where(establishment_filter(gate, area, geo), gate.establishment_clause())
    clauses = record_filter(filters)
    if clauses:
        query = query.where(Establishment.id.in_(gate.records(select(Record.establishment_id).where(*clauses))))
    ids = list(gate.session.scalars(query).all())
    result.establishments_total = len(ids)
    if geo is not None:
        ids.sort(key=lambda i: (geo[i], i))
    ids = ids[:MAX_MAP_POINTS]
    loaded = load_hits(gate.session, ids)
    hits = [loaded[i] for i in ids if i in loaded]
    for hit in hits:
        if geo is not None:
            hit.distance_m = geo[hit.establishment_id]
    count_visible_records(gate, hits)
    result.establishments = hits


def export_rows(
    gate: Gate, area: Area, filters: RecordFilters, *, action: AuditAction = AuditAction.SEARCH_EXPORT
) -> Iterator[dict[str, Any]]:
    """Every visible record in the area, for CSV/XLSX; refuses more than MAX_EXPORT_ROWS; audited in full."""
    criteria = {**area.describe(), **filters.describe()}
    geo = _geo(gate, area)
    where = _record_where(gate, area, filters, geo)
    total = _count(gate, where)
    if total > MAX_EXPORT_ROWS:
        raise ValidationError(
            f"De export zou {total} registraties bevatten; het maximum is {MAX_EXPORT_ROWS}. Verfijn de zoekvraag."
        )
    query: Select[Any] = gate.records(select(Record).where(where)).order_by(Record.occurred_on.desc(), Record.id.desc())
    records = list(gate.session.scalars(query).all())
    gate.audit(
        action,
        object_type="registratie",
        subjects=record_subjects(records),
        details={"criteria": criteria, "aantal": total},
    )
    for start in range(0, len(records), 1000):
        yield from record_rows(gate, records[start : start + 1000])


def visible_establishment_hits(gate: Gate, ids: Sequence[int], action: AuditAction) -> list[SubjectHit]:
    """Helper for callers that already have ids: keep the visible ones, load and audit them."""
    visible = set(
        gate.session.scalars(
            select(Establishment.id).where(id_in(gate.session, Establishment.id, ids), gate.establishment_clause())
        ).all()
    )
    loaded = load_hits(gate.session, [i for i in ids if i in visible])
    hits = list(loaded.values())
    audit_subjects(gate, action, hits, {"aantal": len(hits)})
    return hits

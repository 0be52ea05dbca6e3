"""Subject search: by name (typo, word-order and legal-form tolerant), KvK number, vestigingsnummer,
postcode + house number, street + house number, city. Only establishments the gate lets through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Row, Select, func, select

from plein.audit.actions import AuditAction
from plein.core.models import Address, Establishment, LegalEntity, Record
from plein.core.names import tokens
from plein.policy.gate import Gate
from plein.search import postings
from plein.search.criteria import SubjectQuery
from plein.search.models import NAME_KINDS, SearchNameUse
from plein.search.places import resolve_place
from plein.search.results import SubjectHit, audit_subjects, count_visible_records, id_in, load_hits
from plein.search.vocab import vocabulary

CANDIDATE_CAP = 2_000
TYPING_CAP = 300  # while typing only the first screen matters
MAX_LIMIT = 100
ACTION = AuditAction.SEARCH_SUBJECTS
NAME_SLICE = 2_000
ROWS_PER_ESTABLISHMENT = 4
_UseRow = Row[int, int, str]  # establishment id, kind of name (index into NAME_KINDS), the name


class SubjectOrder(StrEnum):
    """How a result list is ordered; the values are what the page's ``volgorde`` carries."""

    BEST = "beste"  # best match first (a search without a name: by name)
    NAME = "naam"
    PLACE = "plaats"
    RECORDS = "registraties"  # most records the user may see first

    @property
    def description(self) -> str:
        return ORDER_DESCRIPTIONS[self]


ORDER_DESCRIPTIONS = {
    SubjectOrder.BEST: "beste overeenkomst",
    SubjectOrder.NAME: "naam",
    SubjectOrder.PLACE: "plaats",
    SubjectOrder.RECORDS: "aantal registraties",
}


def _order_by(gate: Gate, order: SubjectOrder) -> list[Any]:
    """ORDER BY terms on Establishment for an order other than best match; ties by name, then id."""
    by_name = [Establishment.name, Establishment.id]
    if order is SubjectOrder.PLACE:
        city = select(Address.city).where(Address.id == Establishment.address_id).scalar_subquery()
        return [city, *by_name]
    if order is SubjectOrder.RECORDS:
        visible = (
            select(func.count())
            .select_from(Record)
            .where(Record.establishment_id == Establishment.id, gate.record_clause(AuditAction.SEARCH_COUNT))
            .scalar_subquery()
        )
        return [visible.desc(), *by_name]
    return by_name


@dataclass
class SubjectResult:
    """One page of hits; ``total`` is exact unless ``at_least`` (a very common word capped the candidates)."""

    hits: list[SubjectHit]
    total: int
    at_least: bool = False
    criteria: dict[str, Any] = field(default_factory=dict)


def _filters(gate: Gate, query: SubjectQuery) -> tuple[list[ColumnElement[bool]], bool]:
    """The non-name fields as WHERE terms, and whether they need the address joined."""
    terms: list[ColumnElement[bool]] = []
    if query.kvk:
        terms.append(LegalEntity.kvk == query.kvk)
    if query.establishment_number:
        terms.append(Establishment.establishment_number == query.establishment_number)
    if query.postcode:
        terms.append(Address.postcode == query.postcode)
    if query.house_number is not None:
        terms.append(Address.house_number == query.house_number)
    if query.street:
        terms.append(func.lower(Address.street) == query.street.lower())
    if query.city:
        terms.append(Address.city.in_(resolve_place(gate.session, query.city)))
    needs_address = bool(query.postcode or query.house_number is not None or query.street or query.city)
    return terms, needs_address


def _structured(gate: Gate, query: SubjectQuery) -> Select[Any]:
    """Establishment ids matching the non-name fields, restricted by the gate."""
    terms, needs_address = _filters(gate, query)
    stmt = select(Establishment.id)
    if needs_address:
        stmt = stmt.join(Address, Address.id == Establishment.address_id)
    if query.kvk:
        stmt = stmt.join(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
    return stmt.where(*terms, gate.establishment_clause(ACTION))


def _name_uses(gate: Gate, query: SubjectQuery) -> Select[int, int, str]:
    """The names visible establishments carry, from the name index: the gate's establishment rule is
    applied to the index rows (establishment id and source organisation), so that the establishments
    sharing a name are read together instead of one scattered establishment row each. Other fields
    given with the name are checked on the establishment itself."""
    terms, needs_address = _filters(gate, query)
    stmt = select(SearchNameUse.establishment_id, SearchNameUse.kind, SearchNameUse.text)
    if terms:
        stmt = stmt.join(Establishment, Establishment.id == SearchNameUse.establishment_id)
        if needs_address:
            stmt = stmt.join(Address, Address.id == Establishment.address_id)
        if query.kvk:
            stmt = stmt.join(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
    visible = gate.establishment_clause(
        ACTION,
        establishment_id=SearchNameUse.establishment_id,
        source_organisation_id=SearchNameUse.source_organisation_id,
    )
    return stmt.where(*terms, visible)


def _name_postings(gate: Gate, query: SubjectQuery) -> list[postings.IdArray]:
    """Candidate names' ids, most selective first: names carrying a variant (typo, or completion while
    typing) of each of the two rarest query words; then of the rarest alone."""
    words = tokens(query.name)
    vocab = vocabulary(gate.session)
    groups = []
    for position, word in enumerate(words):
        variants = vocab.variants(word, prefix=query.typing and position == len(words) - 1)
        if variants:
            groups.append(variants)
    if not groups:
        return []
    groups.sort(key=vocab.frequency)
    lists = postings.read(gate.session, [token for group in groups[:2] for token in group])
    rarest = postings.union(lists[t] for t in groups[0] if t in lists)
    if len(groups) == 1:
        return [rarest]
    second = postings.union(lists[t] for t in groups[1] if t in lists)
    return [postings.intersect(rarest, second), rarest]


def _cap(query: SubjectQuery) -> int:
    """How many establishments a name query ranks at most."""
    return TYPING_CAP if query.typing else CANDIDATE_CAP


def _name_candidates(gate: Gate, query: SubjectQuery) -> tuple[list[_UseRow], bool]:
    """The matching names of visible establishments, and whether there may be more than the cap."""
    cap = _cap(query)
    # An establishment carries a few names (own, legal entity's, trade names), so this many rows hold
    # at least the cap's establishments; a name shared by hundreds of establishments must not make a
    # slice of names return tens of thousands of rows.
    row_cap = ROWS_PER_ESTABLISHMENT * (cap + 1)
    uses = _name_uses(gate, query)
    for names in _name_postings(gate, query):
        found: list[_UseRow] = []
        establishments: set[int] = set()
        capped = False
        # In slices: a very common word is carried by tens of thousands of names, and nearly every
        # establishment is visible, so the cap is reached within the first slice or two.
        size = min(NAME_SLICE, cap + 1)
        for start in range(0, len(names), size):
            chunk = [int(i) for i in names[start : start + size]]
            wanted = uses.where(id_in(gate.session, SearchNameUse.name_id, chunk)).limit(row_cap - len(found))
            for row in gate.session.connection().execute(wanted):
                found.append(row)
                establishments.add(row[0])
            capped = len(establishments) > cap or len(found) >= row_cap
            if capped:
                break
        if found:
            return found, capped
    return [], False


def name_score(query_words: list[str], name_words: list[str], *, typing: bool) -> float:
    """0-100: how well each query word is found among the name's words (any order), with a small
    penalty for extra words; the last word counts as found when a name word starts with it (typing)."""
    return name_scores(query_words, {"": tuple(name_words)}, typing=typing)[""]


def name_scores(query_words: Sequence[str], names: Mapping[str, Sequence[str]], *, typing: bool) -> dict[str, float]:
    """``name_score`` for many names at once: one rapidfuzz matrix of query words × distinct name words,
    then per query word the best ratio within each name, for all names in one NumPy reduction."""
    filled = [text for text, name_words in names.items() if name_words]
    scores = dict.fromkeys(names, 0.0)
    if not query_words or not filled:
        return scores
    words = sorted({w for text in filled for w in names[text]})
    column = {w: i for i, w in enumerate(words)}
    lengths = np.fromiter((len(names[text]) for text in filled), dtype=np.int64, count=len(filled))
    columns = np.fromiter((column[w] for text in filled for w in names[text]), dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ratios = process.cdist(list(query_words), words, scorer=fuzz.ratio, dtype=np.float64)
    last = len(query_words) - 1
    total = np.zeros(len(filled))
    for position, word in enumerate(query_words):
        per_word = ratios[position]
        if typing and position == last:  # the word being typed is found when a name word starts with it
            begun = np.fromiter((w.startswith(word) for w in words), dtype=bool, count=len(words))
            per_word = np.where(begun, 100.0, per_word)
        total += np.maximum.reduceat(per_word[columns], starts)
    asked = len(query_words)
    coverage = np.minimum(asked, lengths) / np.maximum(asked, lengths)
    for text, score in zip(filled, (total / asked * 0.9 + coverage * 10).tolist(), strict=True):
        scores[text] = score
    return scores


@dataclass(slots=True)
class _Ranked:
    establishment_id: int
    score: float
    kind: int  # which of its names scored best: index into NAME_KINDS
    text: str

    def reason(self, asked: str) -> str:
        """Why it matched, for the page's hits only (formatting it for every candidate cost more than scoring)."""
        return f"{NAME_KINDS[self.kind]} '{self.text}' lijkt op '{asked}' ({self.score:.0f}/100)"


def _rank(query: SubjectQuery, rows: Sequence[_UseRow]) -> list[_Ranked]:
    """Establishments best first, each scored by the best of its matching names (on names only: full
    hits are loaded for the page alone); equal scores by name, then by id."""
    if not rows:
        return []
    # Names repeat across establishments: each distinct text is scored once, all in one matrix.
    texts: dict[str, tuple[str, ...]] = {}
    for _id, _kind, text in rows:
        if text not in texts:
            texts[text] = tuple(tokens(text))
    scores = name_scores(tokens(query.name), texts, typing=query.typing)
    best: dict[int, _Ranked] = {}
    for establishment_id, kind, text in rows:
        score = scores[text]
        current = best.get(establishment_id)
        if current is None or (score, -kind) > (current.score, -current.kind):
            best[establishment_id] = _Ranked(establishment_id, score, kind, text)
    ranked = list(best.values())
    ranked.sort(key=lambda r: (-r.score, r.text, r.establishment_id))
    return ranked


def search_subjects(
    gate: Gate, query: SubjectQuery, *, limit: int = 20, offset: int = 0, order: SubjectOrder = SubjectOrder.BEST
) -> SubjectResult:
    """Visible establishments matching ``query``, best first (by name), or by name, place or number of
    records; audited."""
    limit = max(1, min(limit, MAX_LIMIT))
    criteria = query.describe()
    if query.is_empty():
        return SubjectResult([], 0, criteria=criteria)
    reasons = [f"{key} = {value}" for key, value in criteria.items() if key != "naam"]
    if query.name:
        rows, capped = _name_candidates(gate, query)
        ranked = _rank(query, rows)
        if capped:
            ranked = ranked[: _cap(query)]
        total, at_least = len(ranked), capped
        if order is not SubjectOrder.BEST and ranked:
            by_id = {r.establishment_id: r for r in ranked}
            within = id_in(gate.session, Establishment.id, list(by_id))
            ordered = gate.session.scalars(select(Establishment.id).where(within).order_by(*_order_by(gate, order)))
            ranked = [by_id[i] for i in ordered if i in by_id]
        chosen = ranked[offset : offset + limit]
        # The page's establishments are checked by the gate once more on their own rows, not only on
        # what the index copied of them.
        loaded = load_hits(gate.session, [r.establishment_id for r in chosen], gate.establishment_clause(ACTION))
        page = []
        for r in chosen:
            hit = loaded.get(r.establishment_id)
            if hit is None:
                continue
            hit.score = r.score
            hit.reasons.append(r.reason(query.name))
            page.append(hit)
    else:
        base = _structured(gate, query)
        total = int(gate.session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        at_least = False
        ids = list(gate.session.scalars(base.order_by(*_order_by(gate, order)).offset(offset).limit(limit)).all())
        loaded = load_hits(gate.session, ids)
        page = [loaded[i] for i in ids if i in loaded]
    for hit in page:
        hit.reasons.extend(reasons)
    count_visible_records(gate, page)
    audit_subjects(gate, ACTION, page, {"criteria": criteria, "aantal": total, "getoond": len(page)})
    return SubjectResult(page, total, at_least, criteria)

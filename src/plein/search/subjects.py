"""Subject search: by name (typo, word-order and legal-form tolerant), KvK number, vestigingsnummer,
postcode + house number, street + house number, city. Only establishments the gate lets through."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Row, Select, Text, cast, func, select

from plein.core.models import Address, Establishment, LegalEntity
from plein.policy.gate import Gate
from plein.search import postings
from plein.search.criteria import SubjectQuery
from plein.search.normalise import tokens
from plein.search.places import resolve_place
from plein.search.results import SubjectHit, audit_subjects, count_visible_records, id_in, load_hits
from plein.search.vocab import vocabulary

CANDIDATE_CAP = 2_000
TYPING_CAP = 300  # while typing only the first screen matters
MAX_LIMIT = 100
ACTION = "zoeken.subjecten"
ID_SLICE = 5_000
_NameRow = Row[int, str, str, str]  # establishment id, name, trade names (JSON text), legal entity name (outer join)


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


def _named(gate: Gate, query: SubjectQuery) -> Select[int, str, str, str]:
    """Visible establishments matching the non-name fields, with the names ranking needs (trade names
    as their JSON text: decoded once per distinct text by ``_trade_names``, not once per row)."""
    terms, needs_address = _filters(gate, query)
    trade_text = cast(Establishment.trade_names, Text)
    stmt = select(Establishment.id, Establishment.name, trade_text, LegalEntity.name).outerjoin(
        LegalEntity, LegalEntity.id == Establishment.legal_entity_id
    )
    if needs_address:
        stmt = stmt.join(Address, Address.id == Establishment.address_id)
    return stmt.where(*terms, gate.establishment_clause(ACTION))


def _name_postings(gate: Gate, query: SubjectQuery) -> list[postings.IdArray]:
    """Candidate ids for the name, most selective first: establishments carrying a variant (typo,
    or completion while typing) of each of the two rarest query words; then of the rarest alone."""
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


def _name_candidates(gate: Gate, query: SubjectQuery) -> tuple[list[_NameRow], bool]:
    """Visible candidates for the name with their names (at most the cap, and whether it was hit)."""
    cap = TYPING_CAP if query.typing else CANDIDATE_CAP
    named = _named(gate, query)
    for ids in _name_postings(gate, query):
        found: list[_NameRow] = []
        # In slices: a very common word has tens of thousands of postings, and nearly all candidates
        # are visible, so the cap is reached within the first few thousand.
        size = min(ID_SLICE, 4 * (cap + 1))
        for start in range(0, len(ids), size):
            chunk = [int(i) for i in ids[start : start + size]]
            wanted = named.where(id_in(gate.session, Establishment.id, chunk)).limit(cap + 1 - len(found))
            found.extend(gate.session.connection().execute(wanted).all())
            if len(found) > cap:
                break
        if found:
            return found[:cap], len(found) > cap
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


@lru_cache(maxsize=100_000)
def _trade_names(text: str | None) -> tuple[str, ...]:
    """Trade names from their JSON text (candidates repeat the same few texts many times)."""
    return tuple(str(name) for name in json.loads(text)) if text else ()


@dataclass(slots=True)
class _Ranked:
    establishment_id: int
    name: str
    score: float
    label: str  # which of its names scored best: naam, rechtspersoon or handelsnaam
    text: str

    def reason(self, asked: str) -> str:
        """Why it matched, for the page's hits only (formatting it for every candidate cost more than scoring)."""
        return f"{self.label} '{self.text}' lijkt op '{asked}' ({self.score:.0f}/100)"


def _rank(query: SubjectQuery, rows: Sequence[_NameRow]) -> list[_Ranked]:
    """Candidates best first, scored on their names only (full hits are loaded for the page alone)."""
    if not rows:
        return []
    # Names repeat across establishments: each distinct text is scored once, all in one matrix.
    texts: dict[str, tuple[str, ...]] = {}
    for _id, name, trade, legal in rows:
        for text in (name, legal, *_trade_names(trade)):
            if text and text not in texts:
                texts[text] = tuple(tokens(text))
    scores = name_scores(tokens(query.name), texts, typing=query.typing)
    ranked = []
    for establishment_id, name, trade, legal in rows:
        best, label, text = (scores[name], "naam", name) if name else (-1.0, "", "")
        if legal and scores[legal] > best:
            best, label, text = scores[legal], "rechtspersoon", legal
        for trade_name in _trade_names(trade):
            if trade_name and scores[trade_name] > best:
                best, label, text = scores[trade_name], "handelsnaam", trade_name
        ranked.append(_Ranked(establishment_id, name, best, label, text))
    ranked.sort(key=lambda r: (-r.score, r.name, r.establishment_id))
    return ranked


def search_subjects(gate: Gate, query: SubjectQuery, *, limit: int = 20, offset: int = 0) -> SubjectResult:
    """Visible establishments matching ``query``, best first (by name) or by name order; audited."""
    limit = max(1, min(limit, MAX_LIMIT))
    criteria = query.describe()
    if query.is_empty():
        return SubjectResult([], 0, criteria=criteria)
    reasons = [f"{key} = {value}" for key, value in criteria.items() if key != "naam"]
    if query.name:
        rows, capped = _name_candidates(gate, query)
        ranked = _rank(query, rows)
        total, at_least = len(ranked), capped
        chosen = ranked[offset : offset + limit]
        loaded = load_hits(gate.session, [r.establishment_id for r in chosen])
        page = []
        for r in chosen:
            hit = loaded[r.establishment_id]
            hit.score = r.score
            hit.reasons.append(r.reason(query.name))
            page.append(hit)
    else:
        base = _structured(gate, query)
        total = int(gate.session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        at_least = False
        ids = list(
            gate.session.scalars(base.order_by(Establishment.name, Establishment.id).offset(offset).limit(limit)).all()
        )
        loaded = load_hits(gate.session, ids)
        page = [loaded[i] for i in ids if i in loaded]
    for hit in page:
        hit.reasons.extend(reasons)
    count_visible_records(gate, page)
    audit_subjects(gate, ACTION, page, {"criteria": criteria, "aantal": total, "getoond": len(page)})
    return SubjectResult(page, total, at_least, criteria)

"""Subject search: by name (typo, word-order and legal-form tolerant), KvK number, vestigingsnummer,
postcode + house number, street + house number, city. Only establishments the gate lets through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import aliased

from plein.core.models import Address, Establishment, LegalEntity
from plein.policy.gate import Gate
from plein.search.criteria import SubjectQuery
from plein.search.models import SearchToken
from plein.search.normalise import tokens
from plein.search.places import resolve_place
from plein.search.results import SubjectHit, audit_subjects, count_visible_records, id_in, load_hits
from plein.search.vocab import vocabulary

CANDIDATE_CAP = 2_000
TYPING_CAP = 300  # while typing only the first screen matters
MAX_LIMIT = 100
ACTION = "zoeken.subjecten"
_OTHER = aliased(SearchToken)  # module level, so the statement is compiled once and cached


@dataclass
class SubjectResult:
    """One page of hits; ``total`` is exact unless ``at_least`` (a very common word capped the candidates)."""

    hits: list[SubjectHit]
    total: int
    at_least: bool = False
    criteria: dict[str, Any] = field(default_factory=dict)


def _structured(gate: Gate, query: SubjectQuery) -> Select[Any]:
    """Establishment ids matching the non-name fields, restricted by the gate."""
    stmt = select(Establishment.id).join(Address, Address.id == Establishment.address_id)
    if query.kvk:
        stmt = stmt.join(LegalEntity, LegalEntity.id == Establishment.legal_entity_id).where(
            LegalEntity.kvk == query.kvk
        )
    if query.establishment_number:
        stmt = stmt.where(Establishment.establishment_number == query.establishment_number)
    if query.postcode:
        stmt = stmt.where(Address.postcode == query.postcode)
    if query.house_number is not None:
        stmt = stmt.where(Address.house_number == query.house_number)
    if query.street:
        stmt = stmt.where(func.lower(Address.street) == query.street.lower())
    if query.city:
        stmt = stmt.where(Address.city.in_(resolve_place(gate.session, query.city)))
    return stmt.where(gate.establishment_clause(ACTION))


def _name_candidates(gate: Gate, query: SubjectQuery, base: Select[Any]) -> tuple[list[int], bool]:
    """Candidate ids for the name: postings of the rarest query word(s), typo variants included."""
    words = tokens(query.name)
    vocab = vocabulary(gate.session)
    groups = []
    for position, word in enumerate(words):
        variants = vocab.variants(word, prefix=query.typing and position == len(words) - 1)
        if variants:
            groups.append(variants)
    if not groups:
        return [], False
    groups.sort(key=vocab.frequency)

    first = select(SearchToken.establishment_id).where(SearchToken.token.in_(groups[0]))
    attempts = [first]
    if len(groups) > 1:
        # Postings of the rarest word that also carry a variant of the second-rarest: a primary-key look-up
        # per posting and variant, unless reading the second word's postings once is cheaper.
        second = groups[1]
        if vocab.frequency(groups[0]) * len(second) <= vocab.frequency(second):
            both: ColumnElement[bool] = exists().where(
                _OTHER.establishment_id == SearchToken.establishment_id, _OTHER.token.in_(second)
            )
        else:
            # ``+ 0``: probe the set built from the second word's postings once per posting of the rarest
            # word; without it SQLite drives the look-up from that (large) set instead.
            both = (SearchToken.establishment_id + 0).in_(
                select(_OTHER.establishment_id).where(_OTHER.token.in_(second))
            )
        attempts.insert(0, first.where(both))
    cap = TYPING_CAP if query.typing else CANDIDATE_CAP
    for source in attempts:
        ids = list(gate.session.scalars(base.where(Establishment.id.in_(source)).limit(cap + 1)).all())
        if ids:
            return ids[:cap], len(ids) > cap
    return [], False


def name_score(query_words: list[str], name_words: list[str], *, typing: bool) -> float:
    """0-100: how well each query word is found among the name's words (any order), with a small
    penalty for extra words; the last word counts as found when a name word starts with it (typing)."""
    return name_scores(query_words, {"": tuple(name_words)}, typing=typing)[""]


def name_scores(query_words: Sequence[str], names: Mapping[str, Sequence[str]], *, typing: bool) -> dict[str, float]:
    """``name_score`` for many names at once: one rapidfuzz matrix of query words × distinct name words."""
    words = sorted({w for name_words in names.values() for w in name_words})
    if not query_words or not words:
        return dict.fromkeys(names, 0.0)
    column = {w: i for i, w in enumerate(words)}
    ratios: list[list[float]] = process.cdist(list(query_words), words, scorer=fuzz.ratio, dtype=np.float64).tolist()
    last = len(query_words) - 1
    scores = {}
    for text, name_words in names.items():
        if not name_words:
            scores[text] = 0.0
            continue
        columns = [column[w] for w in name_words]
        total = 0.0
        for position, word in enumerate(query_words):
            if typing and position == last and any(candidate.startswith(word) for candidate in name_words):
                total += 100.0
            else:
                total += max(ratios[position][c] for c in columns)
        coverage = min(len(query_words), len(name_words)) / max(len(query_words), len(name_words))
        scores[text] = total / len(query_words) * 0.9 + coverage * 10
    return scores


@dataclass(slots=True)
class _Ranked:
    establishment_id: int
    name: str
    score: float
    reason: str


def _rank(gate: Gate, query: SubjectQuery, ids: list[int]) -> list[_Ranked]:
    """Candidates best first, scored on their names only (full hits are loaded for the page alone)."""
    if not ids:
        return []
    wanted = tokens(query.name)
    rows = gate.session.execute(
        select(Establishment.id, Establishment.name, Establishment.trade_names, LegalEntity.name)
        .outerjoin(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
        .where(id_in(gate.session, Establishment.id, ids))
    ).all()
    labelled = [
        (
            establishment_id,
            name,
            [("naam", name), ("rechtspersoon", legal or ""), *(("handelsnaam", t) for t in trade or [])],
        )
        for establishment_id, name, trade, legal in rows
    ]
    # Names repeat across establishments: each distinct text is scored once, all in one matrix.
    texts = {text: tuple(tokens(text)) for _id, _name, labels in labelled for _label, text in labels if text}
    scores = name_scores(wanted, texts, typing=query.typing)
    ranked = []
    for establishment_id, name, labels in labelled:
        best, why = -1.0, ""
        for label, text in labels:
            if text and scores[text] > best:
                best = scores[text]
                why = f"{label} '{text}' lijkt op '{query.name}' ({best:.0f}/100)"
        ranked.append(_Ranked(establishment_id, name, best, why))
    ranked.sort(key=lambda r: (-r.score, r.name, r.establishment_id))
    return ranked


def search_subjects(gate: Gate, query: SubjectQuery, *, limit: int = 20, offset: int = 0) -> SubjectResult:
    """Visible establishments matching ``query``, best first (by name) or by name order; audited."""
    limit = max(1, min(limit, MAX_LIMIT))
    criteria = query.describe()
    if query.is_empty():
        return SubjectResult([], 0, criteria=criteria)
    base = _structured(gate, query)
    reasons = [f"{key} = {value}" for key, value in criteria.items() if key != "naam"]
    if query.name:
        ids, capped = _name_candidates(gate, query, base)
        ranked = _rank(gate, query, ids)
        total, at_least = len(ranked), capped
        chosen = ranked[offset : offset + limit]
        loaded = load_hits(gate.session, [r.establishment_id for r in chosen])
        page = []
        for r in chosen:
            hit = loaded[r.establishment_id]
            hit.score = r.score
            hit.reasons.append(r.reason)
            page.append(hit)
    else:
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

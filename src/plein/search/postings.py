"""Posting lists: per indexed token, the sorted ids of the names carrying it, packed in one value.

A name query joins the postings of a few words, each spelled in up to twenty ways (typo variants),
which at a million establishments means tens of thousands of ids per word. Read row by row that
costs tens of milliseconds; read as one packed value per token and intersected with NumPy it costs
one or two. The lists live beside each token's frequency in ``search_vocab``; ``search_name_use``
says which establishments carry each name (``search.index``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session

from plein.search.models import SearchVocab

IdArray = NDArray[np.int64]
# One leading byte says how wide the ids are: 4 (unsigned 32-bit, every id below 2**32: half the bytes
# to read, and reading them is most of a query's cost on PostgreSQL) or 8 (signed 64-bit, as BIGINT).
_NARROW, _WIDE = np.dtype("<u4"), np.dtype("<i8")
_WIDTHS: dict[int, np.dtype[Any]] = {4: _NARROW, 8: _WIDE}
WRITE_BATCH = 500


def pack(ids: Iterable[int] | IdArray) -> bytes:
    """Sorted, distinct ids as bytes."""
    array = ids if isinstance(ids, np.ndarray) else np.fromiter(ids, dtype=np.int64)
    return _encode(_distinct(np.sort(array, kind="stable")))


def _encode(distinct: IdArray) -> bytes:
    if not distinct.size or (int(distinct[0]) >= 0 and int(distinct[-1]) < 2**32):
        return b"\x04" + distinct.astype(_NARROW).tobytes()
    return b"\x08" + distinct.astype(_WIDE).tobytes()


def _distinct(ordered: IdArray) -> IdArray:
    """A sorted array without repeats."""
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def unpack(value: bytes | memoryview | None) -> IdArray:
    """The ids packed by ``pack`` (an empty array for a token without postings)."""
    if not value:
        return np.empty(0, dtype=np.int64)
    return np.frombuffer(value, dtype=_WIDTHS[value[0]], offset=1).astype(np.int64)


def read(session: Session | Connection, tokens: Iterable[str]) -> dict[str, IdArray]:
    """The posting list of each of ``tokens`` that is indexed, in one query."""
    wanted = sorted(set(tokens))
    if not wanted:
        return {}
    rows = session.execute(select(SearchVocab.token, SearchVocab.postings).where(SearchVocab.token.in_(wanted)))
    return {token: unpack(value) for token, value in rows}


def union(lists: Iterable[IdArray]) -> IdArray:
    """Ids in any of the sorted lists, sorted and distinct. A stable sort (timsort) merges the
    already sorted runs; ``np.unique`` sorts from scratch and was ten times slower here."""
    arrays = [a for a in lists if a.size]
    if not arrays:
        return np.empty(0, dtype=np.int64)
    if len(arrays) == 1:
        return arrays[0]
    return _distinct(np.sort(np.concatenate(arrays), kind="stable"))


def intersect(a: IdArray, b: IdArray) -> IdArray:
    """Ids in both sorted, distinct lists: each id of the shorter one looked up in the longer."""
    if a.size > b.size:
        a, b = b, a
    if not a.size:
        return a
    places = np.searchsorted(b, a)
    places[places == b.size] = 0
    return a[b[places] == a]


def write_all(connection: Connection, postings: Mapping[str, Iterable[int]]) -> None:
    """Fill ``search_vocab`` from scratch: each token's frequency and packed postings (full rebuild)."""
    batch: list[dict[str, Any]] = []
    for token in sorted(postings):
        ids = postings[token]
        array = ids if isinstance(ids, np.ndarray) else np.fromiter(ids, dtype=np.int64)
        distinct = _distinct(np.sort(array, kind="stable"))
        batch.append({"token": token, "df": int(distinct.size), "postings": _encode(distinct)})
        if len(batch) >= WRITE_BATCH:
            connection.execute(insert(SearchVocab), batch)
            batch = []
    if batch:
        connection.execute(insert(SearchVocab), batch)


def apply_changes(session: Session, added: Mapping[str, set[int]], removed: Mapping[str, set[int]]) -> None:
    """Add and remove postings of a few tokens inside the caller's transaction.

    Each token's row is read with ``FOR UPDATE`` (PostgreSQL; SQLite has one writer at a time), in
    token order so that two concurrent updates cannot deadlock, and written back with its new
    frequency; a token left without postings is removed from the vocabulary.
    """
    for token in sorted(set(added) | set(removed)):
        row = session.execute(
            select(SearchVocab.postings).where(SearchVocab.token == token).with_for_update()
        ).one_or_none()
        current = unpack(row[0]) if row is not None else np.empty(0, dtype=np.int64)
        plus = np.fromiter(added.get(token, ()), dtype=np.int64)
        minus = np.fromiter(removed.get(token, ()), dtype=np.int64)
        ids = np.setdiff1d(np.union1d(current, plus), minus)
        if not ids.size:
            session.execute(delete(SearchVocab).where(SearchVocab.token == token))
        elif row is None:
            session.execute(insert(SearchVocab).values(token=token, df=int(ids.size), postings=pack(ids)))
        else:
            session.execute(
                update(SearchVocab).where(SearchVocab.token == token).values(df=int(ids.size), postings=pack(ids))
            )

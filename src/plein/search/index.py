"""Building and updating the name-token index from the core tables.

A full rebuild streams establishments in id order and writes their tokens in batches, collecting
each token's posting list on the way; an update replaces the tokens of a few establishments (after
ingest or resolution) and patches the posting lists of the tokens that changed. Both bump the index
version so that every process reloads its cached vocabulary.
"""

from __future__ import annotations

import secrets
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from plein.core.models import Establishment, LegalEntity, utcnow
from plein.search import postings
from plein.search.models import TOKEN_LENGTH, SearchState, SearchToken, SearchVocab
from plein.search.normalise import tokens

BATCH = 20_000


def establishment_tokens(name: str, trade_names: Iterable[str] | None, legal_name: str | None) -> set[str]:
    """Every token under which an establishment can be found by name."""
    found: set[str] = set()
    for text in (name, *(trade_names or ()), legal_name or ""):
        if text:
            found.update(t[:TOKEN_LENGTH] for t in tokens(str(text)))
    return found


def _names(connection: Connection | Session, ids: Sequence[int] | None, after: int, limit: int) -> list[Any]:
    query = (
        select(Establishment.id, Establishment.name, Establishment.trade_names, LegalEntity.name)
        .outerjoin(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
        .order_by(Establishment.id)
    )
    if ids is not None:
        query = query.where(Establishment.id.in_(ids))
    else:
        query = query.where(Establishment.id > after).limit(limit)
    return list(connection.execute(query).all())


def _rows(batch: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for est_id, name, trade_names, legal_name in batch:
        for token in establishment_tokens(name, trade_names, legal_name):
            yield {"token": token, "establishment_id": est_id}


def _bump(connection: Connection | Session, establishments: int | None = None) -> None:
    """A new random version: never reused, so a version cached from a rolled-back change cannot match."""
    state = connection.execute(select(SearchState.version).where(SearchState.id == 1)).scalar()
    version = secrets.randbelow(2**31 - 2) + 1
    values: dict[str, Any] = {"indexed_at": utcnow(), "version": version}
    if establishments is not None or state is None:
        values["establishments"] = establishments or 0
    if state is None:
        connection.execute(insert(SearchState).values(id=1, **values))
    else:
        connection.execute(update(SearchState).where(SearchState.id == 1).values(**values))


def reindex(engine: Engine) -> int:
    """Rebuild the whole index; returns the number of establishments indexed."""
    total = 0
    # Establishments come in id order, so each token's list grows sorted; 8 bytes a posting.
    lists: defaultdict[str, array[int]] = defaultdict(lambda: array("q"))
    with engine.begin() as connection:
        connection.execute(delete(SearchToken))
        connection.execute(delete(SearchVocab))
        after = 0
        while True:
            batch = _names(connection, None, after, BATCH)
            if not batch:
                break
            rows = list(_rows(batch))
            if rows:
                connection.execute(insert(SearchToken), rows)
            for row in rows:
                lists[row["token"]].append(row["establishment_id"])
            total += len(batch)
            after = batch[-1][0]
        postings.write_all(connection, lists)
        _bump(connection, total)
    refresh_statistics(engine)
    return total


def refresh_statistics(engine: Engine) -> None:
    """Planner statistics (and on PostgreSQL the visibility map) for the tables searches join: without
    them SQLite picks the organisation index over the establishment index for "records of these
    establishments", 100x slower, and PostgreSQL cannot use index-only scans."""
    tables = ("search_token", "search_vocab", "establishment", "address", "legal_entity", "record", "person_role")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA analysis_limit=2000")  # sampled: seconds even for millions of rows
            for table in tables:
                connection.exec_driver_sql(f"ANALYZE {table}")
        else:
            # VACUUM too: after a bulk load the visibility map is empty, and PostgreSQL then reads the
            # table rows behind every index entry instead of answering from the (covering) index.
            for table in tables:
                connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


def update_establishments(session: Session, establishment_ids: Iterable[int]) -> int:
    """Re-token a few establishments (new, renamed or removed) inside the caller's transaction."""
    ids = sorted(set(establishment_ids))
    if not ids:
        return 0
    changed = 0
    added: defaultdict[str, set[int]] = defaultdict(set)
    removed: defaultdict[str, set[int]] = defaultdict(set)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        old = session.execute(
            select(SearchToken.token, SearchToken.establishment_id).where(SearchToken.establishment_id.in_(chunk))
        ).all()
        new = list(_rows(_names(session, chunk, 0, 0)))
        old_set = {(t, e) for t, e in old}
        new_set = {(r["token"], r["establishment_id"]) for r in new}
        for token, est in old_set - new_set:
            session.execute(delete(SearchToken).where(SearchToken.token == token, SearchToken.establishment_id == est))
            removed[token].add(est)
        for token, est in new_set - old_set:
            session.execute(insert(SearchToken).values(token=token, establishment_id=est))
            added[token].add(est)
        changed += len(chunk)
    postings.apply_changes(session, added, removed)
    _bump(session)
    return changed

"""Building and updating the name index from the core tables.

Every name an establishment carries (its own, its legal entity's, its trade names) is one
``search_name_use`` row under the name's id; each token of a name lists the ids of the names that
carry it (``search.postings``). A full rebuild streams establishments in id order; an update replaces
the name rows of a few establishments (after ingest or resolution) and patches the posting lists of
the names that appeared or disappeared. Both bump the index version so that every process reloads
its cached vocabulary.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from plein.core.models import Establishment, LegalEntity, utcnow
from plein.core.names import tokens
from plein.search import postings
from plein.search.models import NAME_KINDS, TOKEN_LENGTH, SearchNameUse, SearchState, SearchVocab

BATCH = 20_000
_NAAM, _RECHTSPERSOON, _HANDELSNAAM = (NAME_KINDS.index(k) for k in ("naam", "rechtspersoon", "handelsnaam"))


def name_id(text: str) -> int:
    """A name's id: 63 bits of its text's hash, the same in every process and database, so that a
    name needs no lookup table to get its id and its postings never have to be renumbered."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little") >> 1


def name_tokens(text: str) -> set[str]:
    """The tokens under which a name is found."""
    return {t[:TOKEN_LENGTH] for t in tokens(text)}


def _names(connection: Connection | Session, ids: Sequence[int] | None, after: int, limit: int) -> list[Any]:
    query = (
        select(
            Establishment.id,
            Establishment.name,
            Establishment.trade_names,
            LegalEntity.name,
            Establishment.source_organisation_id,
        )
        .outerjoin(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
        .order_by(Establishment.id)
    )
    if ids is not None:
        query = query.where(Establishment.id.in_(ids))
    else:
        query = query.where(Establishment.id > after).limit(limit)
    return list(connection.execute(query).all())


def _uses(batch: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """The ``search_name_use`` rows of a batch of establishments (a name with no tokens is left out:
    it cannot be searched for)."""
    for est_id, name, trade_names, legal_name, source in batch:
        seen: set[tuple[str, int]] = set()
        named = [(name, _NAAM), (legal_name, _RECHTSPERSOON), *((t, _HANDELSNAAM) for t in trade_names or ())]
        for text, kind in named:
            if not text or (str(text), kind) in seen or not name_tokens(str(text)):
                continue
            seen.add((str(text), kind))
            yield {
                "name_id": name_id(str(text)),
                "establishment_id": est_id,
                "kind": kind,
                "source_organisation_id": source,
                "text": str(text),
            }


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
    # name id -> its tokens, once per distinct name; then token -> the ids of the names carrying it
    named: dict[int, set[str]] = {}
    with engine.begin() as connection:
        connection.execute(delete(SearchNameUse))
        connection.execute(delete(SearchVocab))
        after = 0
        while True:
            batch = _names(connection, None, after, BATCH)
            if not batch:
                break
            rows = list(_uses(batch))
            if rows:
                connection.execute(insert(SearchNameUse), rows)
            for row in rows:
                if row["name_id"] not in named:
                    named[row["name_id"]] = name_tokens(row["text"])
            total += len(batch)
            after = batch[-1][0]
        lists: defaultdict[str, list[int]] = defaultdict(list)
        for nid, words in named.items():
            for word in words:
                lists[word].append(nid)
        postings.write_all(connection, lists)
        _bump(connection, total)
    if engine.dialect.name == "postgresql":
        # A PostgreSQL table is a heap in insertion (establishment) order: rewrite it in key order, so
        # that the rows of one name lie together as they do in SQLite's WITHOUT ROWID table (a name
        # carried by 700 establishments: one or two pages to read instead of 700 scattered ones).
        with engine.begin() as connection:
            connection.exec_driver_sql("CLUSTER search_name_use USING pk_search_name_use")
    refresh_statistics(engine)
    return total


def needs_rebuild(engine: Engine) -> bool:
    """Whether there are establishments but the index holds none (a migration emptied it, or it was
    never built)."""
    with engine.connect() as connection:
        indexed = connection.scalar(select(SearchState.establishments).where(SearchState.id == 1))
        if indexed:
            return False
        return connection.scalar(select(Establishment.id).limit(1)) is not None


def refresh_statistics(engine: Engine) -> None:
    """Planner statistics (and on PostgreSQL the visibility map) for the tables searches join: without
    them SQLite picks the organisation index over the establishment index for "records of these
    establishments", 100x slower, and PostgreSQL cannot use index-only scans."""
    tables = ("search_name_use", "search_vocab", "establishment", "address", "legal_entity", "record", "person_role")
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
    """Re-index the names of a few establishments (new, renamed or removed) inside the caller's
    transaction: their name rows are replaced, a name new to the index is added to its tokens'
    posting lists, and a name no establishment carries any more is removed from them."""
    ids = sorted(set(establishment_ids))
    if not ids:
        return 0
    key = (SearchNameUse.name_id, SearchNameUse.establishment_id, SearchNameUse.kind)
    appeared: dict[int, str] = {}
    dropped: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        old = {
            (row[0], row[1], row[2]): row
            for row in session.execute(
                select(*key, SearchNameUse.source_organisation_id, SearchNameUse.text).where(
                    SearchNameUse.establishment_id.in_(chunk)
                )
            )
        }
        new = {(r["name_id"], r["establishment_id"], r["kind"]): r for r in _uses(_names(session, chunk, 0, 0))}
        gone = [k for k, row in old.items() if k not in new or new[k]["source_organisation_id"] != row[3]]
        if gone:
            session.execute(delete(SearchNameUse).where(tuple_(*key).in_(gone)))
        fresh = [row for k, row in new.items() if k not in old or k in gone]
        if fresh:
            session.execute(insert(SearchNameUse), fresh)
        dropped.update({k[0]: old[k][4] for k in gone})
        appeared.update({row["name_id"]: row["text"] for row in fresh})
    # A name is in its tokens' lists while at least one establishment carries it.
    still = (
        set(
            session.scalars(
                select(SearchNameUse.name_id).where(SearchNameUse.name_id.in_(list(dropped))).distinct()
            ).all()
        )
        if dropped
        else set()
    )
    added: defaultdict[str, set[int]] = defaultdict(set)
    removed: defaultdict[str, set[int]] = defaultdict(set)
    for nid, text in appeared.items():
        for word in name_tokens(text):
            added[word].add(nid)
    for nid, text in dropped.items():
        if nid not in still and nid not in appeared:
            for word in name_tokens(text):
                removed[word].add(nid)
    postings.apply_changes(session, added, removed)
    _bump(session)
    return len(ids)

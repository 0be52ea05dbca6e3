"""Short-lived in-process caches of policy tables the gate reads on every request.

The register of processing activities, the legal-basis matrix and collaboration membership change
rarely (a beheerder, a migration), yet every request needs them. A ``PolicyCache`` keeps values per database for
``TTL_SECONDS`` and is emptied at once when this process flushes a change to one of the tables it
watches (through the ORM: a flush or a bulk ``update``/``delete``/``insert`` on the session); a change
made by another process, or by SQL outside the ORM, takes effect there within ``TTL_SECONDS``.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session

TTL_SECONDS = 10.0
V = TypeVar("V")
_caches: list[PolicyCache[Any]] = []


def _engine(session: Session) -> Engine:
    bind: Any = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


class PolicyCache(Generic[V]):
    """Values derived from the tables ``watched``, per database, at most ``TTL_SECONDS`` old."""

    def __init__(self, *watched: type) -> None:
        self.watched = watched
        self._entries: weakref.WeakKeyDictionary[Engine, dict[Hashable, tuple[float, V]]] = weakref.WeakKeyDictionary()
        _caches.append(self)

    def get(self, session: Session, key: Hashable, load: Callable[[], V]) -> V:
        """The cached value for ``key``, or ``load()``'s (then remembered)."""
        entries = self._entries.setdefault(_engine(session), {})
        now = time.monotonic()
        cached = entries.get(key)
        if cached is not None and now - cached[0] < TTL_SECONDS:
            return cached[1]
        value = load()
        entries[key] = (now, value)
        return value

    def forget(self, session: Session) -> None:
        """Drop everything cached for the session's database."""
        self._entries.pop(_engine(session), None)


def _forget(session: Session, touched: set[type]) -> None:
    for cache in _caches:
        if any(issubclass(kind, cache.watched) for kind in touched):
            cache.forget(session)


@event.listens_for(Session, "after_flush")
def _forget_flushed_tables(session: Session, _context: Any) -> None:
    touched = {type(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    if touched:
        _forget(session, touched)


@event.listens_for(Session, "do_orm_execute")
def _forget_bulk_changed_tables(state: ORMExecuteState) -> None:
    """``session.execute(delete(Model)…)`` and bulk updates/inserts bypass the flush."""
    if (state.is_delete or state.is_update or state.is_insert) and state.bind_mapper is not None:
        _forget(state.session, {state.bind_mapper.class_})

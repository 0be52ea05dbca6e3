"""Tables of the search index: name tokens per establishment, token frequencies, and the index state.

The index holds no data that the core tables lack (only normalised words of names) and is rebuilt
from them by ``plein search reindex``; it never decides visibility, the policy gate does.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from plein.core.models import Base, utcnow

TOKEN_LENGTH = 40


class SearchToken(Base):
    """One normalised word of an establishment's names (own, trade names, legal entity)."""

    __tablename__ = "search_token"
    __table_args__ = (
        PrimaryKeyConstraint("token", "establishment_id", name="pk_search_token"),
        {"sqlite_with_rowid": False},
    )

    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH))
    establishment_id: Mapped[int] = mapped_column(BigInteger, index=True)


class SearchVocab(Base):
    """Each distinct token with the number of establishments carrying it (rare words select best) and
    their ids, packed (``search.postings``)."""

    __tablename__ = "search_vocab"

    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH), primary_key=True)
    df: Mapped[int] = mapped_column(Integer)
    postings: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)


class SearchState(Base):
    """One row: a new random version on every change, so processes know their cached vocabulary is stale."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    establishments: Mapped[int] = mapped_column(Integer, default=0)
    indexed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

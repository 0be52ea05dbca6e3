"""Tables of the search index: the names each establishment carries, the tokens of those names with
their posting lists, and the index state.

The index holds no data that the core tables lack (names, and each establishment's source
organisation) and is rebuilt from them by ``plein search reindex``; it never decides visibility:
the policy gate does, on the source organisation copied here and on the establishment's records.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary, PrimaryKeyConstraint, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plein.core.models import Base, utcnow

TOKEN_LENGTH = 40


# What a name is to the establishment that carries it, best first when two score alike.
NAME_KINDS = ("naam", "rechtspersoon", "handelsnaam")


class SearchNameUse(Base):
    """One name one establishment carries (its own, its legal entity's, or a trade name).

    Keyed by the name first, so that the establishments sharing a name lie together: a query reads a
    few runs of rows for the names that match instead of one scattered row per establishment. The
    source organisation is copied from the establishment for the policy gate's own-organisation and
    basisregistratie rule (an establishment's source never changes; rebuilds copy it anew).
    """

    __tablename__ = "search_name_use"
    __table_args__ = (
        PrimaryKeyConstraint("name_id", "establishment_id", "kind", name="pk_search_name_use"),
        {"sqlite_with_rowid": False},
    )

    name_id: Mapped[int] = mapped_column(BigInteger)  # ``search.names.name_id`` of ``text``
    establishment_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[int] = mapped_column(SmallInteger)  # index into NAME_KINDS
    source_organisation_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)


class SearchVocab(Base):
    """Each distinct token with the number of distinct names carrying it (rare words select best) and
    those names' ids, packed (``search.postings``)."""

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

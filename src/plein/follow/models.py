"""One followed subject per row: an establishment, a KvK number or an address, with the last visit."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plein.core.models import Base, BigId, utcnow


class FollowKind(StrEnum):
    """What can be followed: a company's establishment, a KvK number, or an address."""

    VESTIGING = "vestiging"
    KVK = "kvk"
    ADRES = "adres"

    @property
    def label(self) -> str:
        """The Dutch name users read."""
        return {"vestiging": "Vestiging", "kvk": "KvK-nummer", "adres": "Adres"}[self.value]


class FollowItem(Base):
    """A subject a user follows; ``value`` is the establishment id, the KvK number or ``1234AB 12``."""

    __tablename__ = "follow_item"
    __table_args__ = (UniqueConstraint("user_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Business sellers for the demo webshops taken from the demo world, so that a crawl's offers land in
dossiers: the companies (with a KvK number) whose establishments carry the most records."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plein.core.models import Establishment, LegalEntity, Record
from plein.demo.webshops.catalog import SELLERS_NEEDED


def demo_world_sellers(session: Session, count: int = SELLERS_NEEDED) -> list[tuple[str, str]]:
    """(name, KvK number) of ``count`` demo companies, most records first; fewer when the world is smaller."""
    records = func.count(Record.id)
    rows = session.execute(
        select(LegalEntity.name, LegalEntity.kvk)
        .join(Establishment, Establishment.legal_entity_id == LegalEntity.id)
        .join(Record, Record.establishment_id == Establishment.id)
        .where(LegalEntity.kvk.is_not(None), LegalEntity.dissolved_on.is_(None))
        .group_by(LegalEntity.id, LegalEntity.name, LegalEntity.kvk)
        .order_by(records.desc(), LegalEntity.id)
        .limit(count)
    ).all()
    return [(str(name), str(kvk)) for name, kvk in rows]

"""Records that entity resolution linked to an establishment are found where that establishment is."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.auth.accounts import actor_for
from plein.auth.models import UserAccount
from plein.core.models import Address, Establishment, Record
from plein.policy.gate import Gate
from plein.policy.roles import Purpose
from plein.resolve.models import ResolveLink, ResolveRun
from plein.search.area import Area, search_area
from plein.search.criteria import RecordFilters, parse_postcode_range


def test_linked_record_is_found_in_the_area_of_its_establishment(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        user = session.scalars(select(UserAccount).where(UserAccount.username == "dcmr.inspecteur")).one()
        gate = Gate(session, actor_for(user), Purpose.for_activity("toezicht"))
        record = session.scalars(gate.records(select(Record)).order_by(Record.id)).first()
        assert record is not None and record.establishment_id is not None
        home = session.scalar(
            select(Address.postcode)
            .join(Establishment, Establishment.address_id == Address.id)
            .where(Establishment.id == record.establishment_id)
        )
        elsewhere, postcode = session.execute(
            select(Establishment.id, Address.postcode)
            .join(Address, Address.id == Establishment.address_id)
            .where(Address.postcode != home)
            .order_by(Establishment.id)
        ).first()  # type: ignore[misc]
        area = Area(postcodes=parse_postcode_range(postcode, postcode))

        def found() -> set[int]:
            result = search_area(gate, area, RecordFilters(), limit=100)
            return {row["id"] for row in result.records}

        assert record.id not in found()
        run = ResolveRun(backend="test")
        session.add(run)
        session.flush()
        session.add(
            ResolveLink(
                item_kind="record",
                item_id=record.id,
                establishment_id=elsewhere,
                method="test",
                reasons={},
                status="geaccepteerd",
                run_id=run.id,
            )
        )
        session.flush()
        assert record.id in found()
        session.rollback()

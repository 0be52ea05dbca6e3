"""Reading what resolution compares: canonical establishments, partner establishments, records.

Records are reduced to distinct *signatures* (reported name, KvK, postcode, house number): a
company that appears in ten thousand records under three spellings is compared three times, not
ten thousand. The frames are plain pandas so that Splink (DuckDB or Spark) can take them as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import aliased

from plein.core.identifiers import postcode_key
from plein.core.models import Address, Establishment, LegalEntity, Organisation, Record
from plein.core.names import name_key
from plein.resolve.normalise import house_number_key, kvk_key

REGISTER_ORGANISATION = "KVK"
COLUMNS = ["unique_id", "name_key", "kvk", "postcode", "house_number", "street", "establishment_number"]


def _street_key(street: str | None) -> str | None:
    return " ".join(name_key(street or "").split()) or None


def canonical_establishments(engine: Engine) -> pd.DataFrame:
    """Establishments registered by the KvK (the Handelsregister): the subjects links point at."""
    address = aliased(Address)
    query = (
        select(
            Establishment.id,
            Establishment.name,
            Establishment.establishment_number,
            Establishment.legal_entity_id,
            LegalEntity.kvk,
            address.postcode,
            address.house_number,
            address.street,
        )
        .join(Organisation, Organisation.id == Establishment.source_organisation_id)
        .join(address, address.id == Establishment.address_id)
        .outerjoin(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
        .where(Organisation.code == REGISTER_ORGANISATION)
    )
    rows = []
    with engine.connect() as connection:
        for est_id, name, number, le_id, kvk, postcode, house_number, street in connection.execute(query):
            rows.append(
                {
                    "unique_id": f"e{est_id}",
                    "establishment_id": est_id,
                    "legal_entity_id": le_id,
                    "name": name,
                    "name_key": name_key(name) or None,
                    "kvk": kvk_key(kvk),
                    "postcode": postcode_key(postcode),
                    "house_number": house_number_key(house_number),
                    "street": _street_key(street),
                    "establishment_number": number or None,
                }
            )
    return pd.DataFrame(rows, columns=[*COLUMNS, "establishment_id", "legal_entity_id", "name"])


def partner_establishments(engine: Engine) -> pd.DataFrame:
    """Establishments that partners registered in their own systems (possible duplicates)."""
    query = (
        select(
            Establishment.id,
            Establishment.name,
            Establishment.establishment_number,
            LegalEntity.kvk,
            Address.postcode,
            Address.house_number,
            Address.street,
        )
        .join(Organisation, Organisation.id == Establishment.source_organisation_id)
        .join(Address, Address.id == Establishment.address_id)
        .outerjoin(LegalEntity, LegalEntity.id == Establishment.legal_entity_id)
        .where(Organisation.code != REGISTER_ORGANISATION)
    )
    rows = []
    with engine.connect() as connection:
        for est_id, name, number, kvk, postcode, house_number, street in connection.execute(query):
            rows.append(
                {
                    "unique_id": f"v{est_id}",
                    "item_kind": "vestiging",
                    "item_id": est_id,
                    "name": name,
                    "name_key": name_key(name) or None,
                    "kvk": kvk_key(kvk),
                    "postcode": postcode_key(postcode),
                    "house_number": house_number_key(house_number),
                    "street": _street_key(street),
                    "establishment_number": number or None,
                }
            )
    return pd.DataFrame(rows, columns=[*COLUMNS, "item_kind", "item_id", "name"])


def iter_records(
    engine: Engine, batch: int = 50_000, *, visible: Callable[[Select[Any]], Select[Any]] | None = None
) -> Iterator[list[tuple[int, str, str, str, str, object]]]:
    """(id, reported name, KvK, postcode, house number, date) of every visible record, in batches."""
    query: Any = select(
        Record.id,
        Record.reported_name,
        Record.reported_kvk,
        Record.reported_postcode,
        Record.reported_house_number,
        Record.occurred_on,
    ).order_by(Record.id)
    if visible is not None:
        query = visible(query)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=batch).execute(query)
        for partition in result.partitions(batch):
            yield [tuple(row) for row in partition]


def record_signatures(
    engine: Engine, *, visible: Callable[[Select[Any]], Select[Any]] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distinct reported signatures (for Splink) and each record's signature id and date."""
    signature_ids: dict[tuple[str | None, str | None, str | None, str | None], int] = {}
    signatures: list[dict[str, object]] = []
    record_ids: list[int] = []
    record_sigs: list[int] = []
    record_dates: list[object] = []
    for batch in iter_records(engine, visible=visible):
        for record_id, name, kvk, postcode, house_number, occurred_on in batch:
            key = (name_key(name or "") or None, kvk_key(kvk), postcode_key(postcode), house_number_key(house_number))
            sig = signature_ids.get(key)
            if sig is None:
                sig = len(signatures)
                signature_ids[key] = sig
                signatures.append(
                    {
                        "unique_id": f"s{sig}",
                        "name_key": key[0],
                        "kvk": key[1],
                        "postcode": key[2],
                        "house_number": key[3],
                        "street": None,
                        "establishment_number": None,
                        "name": name,
                        "kvk_raw": kvk or "",
                    }
                )
            record_ids.append(record_id)
            record_sigs.append(sig)
            record_dates.append(occurred_on)
    frame = pd.DataFrame(signatures, columns=[*COLUMNS, "name", "kvk_raw"])
    records = pd.DataFrame({"record_id": record_ids, "signature": record_sigs, "occurred_on": record_dates})
    return frame, records

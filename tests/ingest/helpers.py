"""Shared helpers for the ingest tests: organisations, a small test mapping, quick sources."""

from __future__ import annotations

from sqlalchemy import Engine

from plein.core.models import Organisation
from plein.ingest.sources import register_source
from plein.store.engine import session_factory

TEST_MAPPING = """
name: test-od
format: csv
csv: {delimiter: ";", encoding: utf-8}
record_kind: inspectie
key: [Zaak]
date_formats: ["%d-%m-%Y", "%Y-%m-%d"]
fields:
  occurred_on: {column: Datum, required: true}
  reported_name: {column: Naam}
  reported_kvk: {column: KvK, type: kvk}
  reported_postcode: {column: Postcode, type: postcode}
  reported_house_number: {column: Huisnr}
  theme_code: {value: afval}
  outcome: {column: Uitkomst, required: true, map: {GO: geen_overtreding, OVT: overtreding}}
  severity: {column: Ernst, required: true, map: {"0": geen, "2": middel}}
  findings: {column: Bevindingen}
"""
HEADER = "Zaak;Datum;Naam;KvK;Postcode;Huisnr;Uitkomst;Ernst;Bevindingen"


def add_organisations(engine: Engine, *codes: str) -> None:
    """Partner organisations as the demo world names them."""
    with session_factory(engine).begin() as session:
        for code in codes:
            session.add(Organisation(code=code, name=code, kind="omgevingsdienst", legal_domain="bestuursrecht"))


def test_source(engine: Engine, mapping: str = TEST_MAPPING, code: str = "test-od") -> str:
    """Register the test source (organisation TEST-OD, system Squit XO) and return its code."""
    add_organisations(engine, "TEST-OD")
    with session_factory(engine).begin() as session:
        register_source(session, code=code, organisation_code="TEST-OD", source_system="Squit XO", mapping_yaml=mapping)
    return code


test_source.__test__ = False  # type: ignore[attr-defined]


def csv_rows(count: int, start: int = 1) -> list[str]:
    """``count`` valid rows for the test mapping."""
    return [
        f"Z-{n:06d};{(n % 28) + 1:02d}-03-2024;Bedrijf {n} B.V.;{10000000 + n};1234 AB;{n % 200 + 1};"
        f"{'OVT' if n % 3 else 'GO'};{'2' if n % 3 else '0'};bevinding {n}"
        for n in range(start, start + count)
    ]

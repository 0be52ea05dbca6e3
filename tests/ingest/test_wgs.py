"""The Wgs categories: one list, matched on meaning, the same at ingest (columns, mappings) and output (gate)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from plein.core.models import Inspection
from plein.errors import ValidationError
from plein.ingest.importer import import_file
from plein.ingest.mapping import parse_mapping
from plein.policy.gate import Gate
from plein.policy.wgs import forbidden_category
from plein.store.engine import session_factory
from tests.ingest.helpers import HEADER, TEST_MAPPING, csv_rows, test_source

ALLOWED = (
    "medisch_afval",
    "Medisch afval (kg)",
    "genetisch_gemodificeerd",
    "genetisch_gemodificeerde_organismen",
    "ggo.genetischGemodificeerdOrganisme",
    "politie",
    "politie_regio",
    "politiebureau",
    "gezondheidsrisico",
    "geloofwaardigheid",
    "herkomst",
    "afvalstroom",
    "gras",
    "trade_name",
    "medische_hulpmiddelen_vergunning",
)
REFUSED = {
    "nationaliteit": "nationaliteit",
    "persoon.nationality": "nationaliteit",
    "Nationaliteit eigenaar": "nationaliteit",
    "nationaliteitcode": "nationaliteit",
    "gezondheidsgegevens": "gezondheid",
    "Gezondheidstoestand": "gezondheid",
    "medische_gegevens": "gezondheid",
    "medisch dossier": "gezondheid",
    "medisch": "gezondheid",
    "religie": "religie of levensovertuiging",
    "geloof": "religie of levensovertuiging",
    "geloofsovertuiging": "religie of levensovertuiging",
    "politieke_voorkeur": "politieke voorkeur",
    "politiekeVoorkeur": "politieke voorkeur",
    "political_party": "politieke voorkeur",
    "etnische_afkomst": "etnische afkomst",
    "ras": "etnische afkomst",
    "vakbondslidmaatschap": "vakbondslidmaatschap",
    "trade_union": "vakbondslidmaatschap",
    "genetische_gegevens": "biometrische of genetische gegevens",
    "vingerafdruk": "biometrische of genetische gegevens",
    "seksuele_geaardheid": "seksuele leven",
}


@pytest.mark.parametrize("name", ALLOWED)
def test_waste_gmo_and_police_terms_are_not_wgs_categories(name: str) -> None:
    assert forbidden_category(name) is None
    assert Gate.scrub({name: 1}) == {name: 1}


@pytest.mark.parametrize(("name", "category"), sorted(REFUSED.items()))
def test_personal_categories_are_refused_by_ingest_and_scrubbed_by_the_gate(name: str, category: str) -> None:
    assert forbidden_category(name) == category
    assert Gate.scrub({"naam": "x", name: "geheim", "eigenaar": {name: "geheim"}}) == {"naam": "x", "eigenaar": {}}


def test_mapping_may_read_medical_waste_but_not_medical_data() -> None:
    parse_mapping(TEST_MAPPING.replace("findings: {column: Bevindingen}", "findings: {column: medisch_afval}"))
    with pytest.raises(ValidationError, match="gezondheid"):
        parse_mapping(TEST_MAPPING.replace("findings: {column: Bevindingen}", "findings: {column: medische_gegevens}"))


def test_import_reads_medical_waste_and_refuses_health_data(engine: Engine, tmp_path: Path) -> None:
    mapping = TEST_MAPPING.replace("findings: {column: Bevindingen}", "findings: {column: medisch_afval}")
    source = test_source(engine, mapping)
    header = HEADER.replace("Bevindingen", "medisch_afval") + ";Gezondheidsgegevens;genetisch_gemodificeerd"
    rows = [f"{r.rsplit(';', 1)[0]};naalden 3 kg;astma;nee" for r in csv_rows(2)]
    path = tmp_path / "afval.csv"
    path.write_text("\n".join([header, *rows]), encoding="utf-8")
    summary = import_file(engine, source, path)
    assert summary.rows_new == 2
    refused = [m for m in summary.messages if "Wgs" in m]
    assert refused == ["kolom 'Gezondheidsgegevens' niet ingelezen: Wgs-categorie gezondheid"]
    with session_factory(engine)() as session:
        assert set(session.scalars(select(Inspection.findings))) == {"naalden 3 kg"}

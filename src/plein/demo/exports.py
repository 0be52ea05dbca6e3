"""The demo world's partner exports, written as files the way real partners deliver them.

Three partners, three formats, three vocabularies: an omgevingsdienst's Squit XO export (CSV with
``;``, dd-mm-jjjj dates, Windows-1252, its own outcome and theme codes), DCMR's Mozard reports
(XLSX with real date cells), and ILT's inspections (JSON with nested subjects and English result
codes). The mappings in ``plein/ingest/mappings`` turn each back into plein's taxonomy.

The Squit export ends with a few rows a real export also carries (a date that does not exist, a code
missing from the code list, a row without its case number), so that importing the demo shows what
quarantine looks like; ``PLANTED_SQUIT_ROWS`` lists them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.core.models import Inspection, Organisation, Record, Report

SQUIT_OUTCOMES = {
    "geen_overtreding": "GO",
    "overtreding": "OVT",
    "waarschuwing": "WAA",
    "last_onder_dwangsom": "LOD",
    "bestuurlijke_boete": "BB",
    "proces_verbaal": "PV",
}
SQUIT_SEVERITIES = {"geen": "0", "laag": "1", "middel": "2", "hoog": "3", "zeer_hoog": "4"}
SQUIT_THEMES = {
    "afval": "AFV",
    "bodem": "BOD",
    "asbest": "ASB",
    "f-gassen": "FGS",
    "mest": "MST",
    "gewasbescherming": "GWB",
    "brzo": "BRZ",
    "vloeistofdichte-vloeren": "VDV",
    "e-steps": "EST",
    "helmen": "HLM",
    "arbeidsomstandigheden": "ARB",
    "externe-veiligheid": "EXV",
}
CONFIDENTIALITY_LABELS = {
    "openbaar": "Openbaar",
    "beperkt_openbaar": "Beperkt openbaar",
    "intern": "Intern",
    "zaakvertrouwelijk": "Zaakvertrouwelijk",
    "vertrouwelijk": "Vertrouwelijk",
    "confidentieel": "Confidentieel",
    "geheim": "Geheim",
    "zeer_geheim": "Zeer geheim",
}
ILT_RESULTS = {
    "geen_overtreding": "compliant",
    "overtreding": "violation",
    "waarschuwing": "warning",
    "last_onder_dwangsom": "penalty_order",
    "bestuurlijke_boete": "administrative_fine",
    "proces_verbaal": "official_report",
}
ILT_SEVERITIES = {"geen": 0, "laag": 1, "middel": 2, "hoog": 3, "zeer_hoog": 4}


# Bad rows at the end of the Squit export, each with the column its problem lies in.
PLANTED_SQUIT_ROWS: tuple[tuple[str, list[str]], ...] = (
    (
        "Datum controle",
        ["FOUT-0001", "31-02-2024", "Garage De Kromme Sloot", "", "1013AB", "12", "AFV", "GO", "0", "", "Intern"],
    ),
    (
        "Taakveld",
        ["FOUT-0002", "14-03-2024", "Metaalhandel Ter Heijde", "", "1505HX", "3", "ZZZ", "OVT", "2", "", "Intern"],
    ),
    (
        "Zaaknummer",
        ["", "02-04-2024", "Transportbedrijf Zwanenburg", "", "1161AA", "40", "ASB", "GO", "0", "", "Intern"],
    ),
)


@dataclass(frozen=True)
class DemoExport:
    """One partner export: where it goes, which source and mapping read it back."""

    file_name: str
    source_code: str
    organisation_code: str
    mapping_name: str
    description: str


DEMO_EXPORTS = (
    DemoExport(
        "od-nzkg-inspecties.csv",
        "od-nzkg-squit",
        "OD-NZKG",
        "squit-inspecties",
        "Inspecties van de Omgevingsdienst Noordzeekanaalgebied uit Squit XO (CSV)",
    ),
    DemoExport(
        "dcmr-meldingen.xlsx",
        "dcmr-mozard",
        "DCMR",
        "mozard-meldingen",
        "Meldingen van DCMR Milieudienst Rijnmond uit Mozard (Excel)",
    ),
    DemoExport(
        "ilt-inspecties.json",
        "ilt-inspectieview",
        "ILT",
        "ilt-inspecties",
        "Inspecties van de ILT uit Inspectieview (JSON)",
    ),
)


def _records(session: Session, model: type[Record], org_code: str) -> Iterator[Any]:
    org_id = session.scalar(select(Organisation.id).where(Organisation.code == org_code))
    if org_id is None:
        return iter(())
    query = select(model).where(model.source_organisation_id == org_id).order_by(model.id)
    return iter(session.scalars(query.execution_options(yield_per=2000)))


def _dutch_date(value: Any) -> str:
    return value.strftime("%d-%m-%Y") if value else ""


def write_squit_csv(session: Session, path: Path, org_code: str) -> int:
    """Squit XO inspection export: ``;``-separated, dd-mm-jjjj, Windows-1252, Squit codes; the planted bad rows last."""
    count = 0
    with path.open("w", encoding="cp1252", errors="replace", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            [
                "Zaaknummer",
                "Datum controle",
                "Inrichting",
                "KvK",
                "Postcode",
                "Huisnr",
                "Taakveld",
                "Resultaat",
                "Zwaarte",
                "Bevindingen",
                "Rubricering",
            ]
        )
        for record in _records(session, Inspection, org_code):
            writer.writerow(
                [
                    record.source_key,
                    _dutch_date(record.occurred_on),
                    record.reported_name,
                    record.reported_kvk,
                    record.reported_postcode,
                    record.reported_house_number,
                    SQUIT_THEMES[record.theme_code],
                    SQUIT_OUTCOMES[record.outcome],
                    SQUIT_SEVERITIES[record.severity],
                    record.findings,
                    CONFIDENTIALITY_LABELS[record.confidentiality],
                ]
            )
            count += 1
        for _column, row in PLANTED_SQUIT_ROWS:
            writer.writerow(row)
            count += 1
    return count


def write_mozard_xlsx(session: Session, path: Path, org_code: str) -> int:
    """Mozard report export: an Excel sheet ``Meldingen`` with date cells and Dutch theme names."""
    from openpyxl import Workbook

    theme_names = {code: code.replace("-", " ").capitalize() for code in SQUIT_THEMES}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Meldingen")
    sheet.append(
        [
            "Meldingnummer",
            "Ontvangen op",
            "Bedrijf",
            "KvK-nummer",
            "PC",
            "Hnr",
            "Kanaal",
            "Omschrijving",
            "Status",
            "Milieuthema",
            "Vertrouwelijkheid",
        ]
    )
    count = 0
    for record in _records(session, Report, org_code):
        sheet.append(
            [
                record.source_key,
                record.occurred_on,
                record.reported_name,
                record.reported_kvk,
                record.reported_postcode,
                record.reported_house_number,
                record.channel,
                record.description,
                record.status,
                theme_names[record.theme_code],
                CONFIDENTIALITY_LABELS[record.confidentiality],
            ]
        )
        count += 1
    workbook.save(path)
    return count


def write_ilt_json(session: Session, path: Path, org_code: str) -> int:
    """ILT inspection export: a JSON array of nested objects, ISO dates, English result codes."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[\n")
        for record in _records(session, Inspection, org_code):
            item = {
                "inspectionId": record.source_key,
                "date": record.occurred_on.isoformat(),
                "subject": {
                    "name": record.reported_name,
                    "cocNumber": record.reported_kvk or None,
                    "address": {"postalCode": record.reported_postcode, "houseNumber": record.reported_house_number},
                },
                "domain": record.theme_code,
                "result": ILT_RESULTS[record.outcome],
                "severity": ILT_SEVERITIES[record.severity],
                "findings": record.findings,
                "classification": record.confidentiality,
            }
            handle.write(("" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
            count += 1
        handle.write("\n]\n")
    return count


WRITERS = {
    "squit-inspecties": write_squit_csv,
    "mozard-meldingen": write_mozard_xlsx,
    "ilt-inspecties": write_ilt_json,
}


def write_partner_exports(engine: Engine, out_dir: Path) -> dict[str, int]:
    """Write every demo partner export into ``out_dir``; returns rows written per file."""
    out_dir = Path(out_dir) / "exports"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with Session(engine) as session:
        for export in DEMO_EXPORTS:
            writer = WRITERS[export.mapping_name]
            written[export.file_name] = writer(session, out_dir / export.file_name, export.organisation_code)
    return written


def demo_source_system(organisation_code: str) -> str:
    """The source system a demo organisation delivers from (as in the demo catalog)."""
    from plein.demo.catalog import ORGANISATIONS

    for spec in ORGANISATIONS:
        if spec.code == organisation_code:
            return spec.system
    return organisation_code


def register_demo_sources(session: Session) -> list[str]:
    """Register the three demo partner sources with their shipped mappings; returns their codes."""
    from plein.ingest.sources import register_source

    codes = []
    for export in DEMO_EXPORTS:
        register_source(
            session,
            code=export.source_code,
            organisation_code=export.organisation_code,
            source_system=demo_source_system(export.organisation_code),
            mapping_name=export.mapping_name,
            name=export.description,
        )
        codes.append(export.source_code)
    return codes

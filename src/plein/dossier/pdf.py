"""The dossier as a PDF (reportlab, BSD licence; no browser needed), for printing and filing."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

if TYPE_CHECKING:
    from plein.dossier.build import Dossier


def dossier_pdf(dossier: Dossier) -> bytes:
    """A4 landscape: subject, legal entity, succession, related subjects, then the timeline table."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Dossier {dossier.subject.name}",
        author="plein",
    )
    s = dossier.subject
    story = [
        Paragraph(escape(f"Dossier: {s.name}"), styles["Title"]),
        Paragraph(
            escape(
                f"{s.address} · KvK {s.kvk or 'onbekend'} · vestigingsnummer {s.establishment_number or 'onbekend'}"
            ),
            styles["BodyText"],
        ),
        Paragraph(
            escape(
                f"Gemaakt op {dt.datetime.now().strftime('%d-%m-%Y %H:%M')}. Bevat alleen wat u onder het "
                "gekozen doel mag zien; vertrouwelijk behandelen."
            ),
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    for step in dossier.successions:
        story.append(
            Paragraph(
                escape(
                    f"{step.direction.capitalize()}: {step.name} (KvK {step.kvk}) per "
                    f"{step.date or 'onbekend'} — {step.reason}"
                ),
                small,
            )
        )
    for rel in dossier.related:
        story.append(Paragraph(escape(f"Gerelateerd: {rel.label} — {rel.relation}"), small))
    story.append(Spacer(1, 4 * mm))
    data = [["Datum", "Soort", "Omschrijving", "Thema", "Herkomst", "Via"]]
    for item in dossier.items:
        data.append(
            [
                item.date.strftime("%d-%m-%Y"),
                item.kind,
                Paragraph(escape(f"{item.title}. {item.detail}"[:400]), small),
                Paragraph(escape(item.theme), small),
                Paragraph(escape(f"{item.source_organisation} / {item.source_system} {item.import_batch}"), small),
                item.via,
            ]
        )
    if len(data) == 1:
        data.append(["", "", "Geen registraties die u mag zien.", "", "", ""])
    table = Table(data, colWidths=[22 * mm, 22 * mm, 100 * mm, 35 * mm, 55 * mm, 35 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#01689b")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    story.append(table)
    for note in dossier.not_included:
        story.append(Paragraph(escape(f"Nog niet opgenomen: {note}."), small))
    doc.build(story)
    return buffer.getvalue()

"""Validating uncertain cells of the legal-basis matrix: who, when, with which reference.

The packaged matrix is a reading of a partly garbled table, not legal advice. A cell marked
uncertain is not in force (``LegalBasis.in_force``) until a beheerder validates it with a
reference (an advice, a decision). A garbled row has more than one reading (``readings`` in the
packaged YAML); the beheerder validates one, which puts its cells in force and withdraws the
packaged cells only the other reading gives. The caller audits through the gate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.errors import ValidationError
from plein.policy.matrix import load_matrix
from plein.policy.models import LegalBasis

MIN_REFERENCE = 5
JUSTIFICATION = "Convenant gegevensuitwisseling en samenwerking 2020, tabel 1"


@dataclass(frozen=True, slots=True)
class ReadingCell:
    """One cell a reading gives."""

    to_party: str
    basis: str


@dataclass(frozen=True, slots=True)
class ReadingOption:
    """One way to read a garbled row."""

    code: str
    label: str
    cells: tuple[ReadingCell, ...]


@dataclass(frozen=True, slots=True)
class GarbledRow:
    """A sender's row of Table 1 that the source does not settle."""

    from_party: str
    note: str
    options: tuple[ReadingOption, ...]

    def pairs(self) -> set[tuple[str, str]]:
        """Every (sender, receiver) cell any reading gives."""
        return {(self.from_party, cell.to_party) for option in self.options for cell in option.cells}

    def option(self, code: str) -> ReadingOption:
        for option in self.options:
            if option.code == code:
                return option
        raise ValidationError(f"Lezing: kies een van {', '.join(o.code for o in self.options)}.")


def garbled_rows() -> list[GarbledRow]:
    """The garbled rows of the packaged matrix with their readings."""
    rows = []
    for row in load_matrix().get("readings", []):
        options = tuple(
            ReadingOption(
                str(option["code"]),
                str(option["label"]),
                tuple(ReadingCell(str(cell["to"]), str(cell["basis"])) for cell in option["cells"]),
            )
            for option in row["options"]
        )
        rows.append(GarbledRow(str(row["from"]), " ".join(str(row.get("note", "")).split()), options))
    return rows


def garbled_row(from_party: str) -> GarbledRow:
    for row in garbled_rows():
        if row.from_party == from_party:
            return row
    raise ValidationError(f"Verstrekker {from_party} heeft geen verminkte rij met lezingen.")


def _reference(reference: str) -> str:
    reference = reference.strip()
    if len(reference) < MIN_REFERENCE:
        raise ValidationError(
            f"Referentie: geef de vindplaats van de validatie (advies, besluit), minstens {MIN_REFERENCE} tekens."
        )
    if len(reference) > 1000:
        raise ValidationError("Referentie mag hoogstens 1000 tekens lang zijn.")
    return reference


def _stamp(row: LegalBasis, reference: str, validated_by: str, reading: str) -> None:
    row.validated_by = validated_by
    row.validated_at = dt.datetime.now(dt.UTC)
    row.validation_reference = reference
    row.reading = reading


def validate_basis(session: Session, basis_id: int, *, reference: str, validated_by: str) -> LegalBasis:
    """Put one uncertain cell in force; a cell of a garbled row is validated through its reading."""
    row = session.get(LegalBasis, basis_id)
    if row is None:
        raise ValidationError(f"Rechtsgrondslag {basis_id} bestaat niet.")
    if not row.uncertain:
        raise ValidationError("Deze grondslag is niet als onzeker gemarkeerd; valideren is niet nodig.")
    if not row.active:
        raise ValidationError("Deze grondslag is ingetrokken; leg haar opnieuw vast in plaats van te valideren.")
    if any((row.from_party, row.to_party) in garbled.pairs() for garbled in garbled_rows()):
        raise ValidationError(
            f"De rij {row.from_party} is in de bron verminkt: kies hieronder welke lezing u valideert."
        )
    _stamp(row, _reference(reference), validated_by, "")
    session.flush()
    return row


def validate_reading(
    session: Session, from_party: str, option_code: str, *, reference: str, validated_by: str
) -> list[LegalBasis]:
    """Validate one reading of a garbled row; returns the cells put in force (others withdrawn)."""
    garbled = garbled_row(from_party)
    option = garbled.option(option_code)
    reference = _reference(reference)
    rows = {
        (b.from_party, b.to_party): b
        for b in session.scalars(select(LegalBasis).where(LegalBasis.from_party == garbled.from_party))
    }
    chosen = {cell.to_party for cell in option.cells}
    validated: list[LegalBasis] = []
    for cell in option.cells:
        row = rows.get((garbled.from_party, cell.to_party))
        if row is None:
            row = LegalBasis(from_party=garbled.from_party, to_party=cell.to_party, basis=cell.basis)
            session.add(row)
        elif not row.uncertain and row.active:
            continue  # a basis a beheerder recorded herself stays as she recorded it
        row.basis, row.uncertain, row.active = cell.basis, True, True
        row.justification = f"{JUSTIFICATION}, lezing '{option.label}'"
        row.recorded_by = row.recorded_by or "convenant"
        _stamp(row, reference, validated_by, option.code)
        validated.append(row)
    for (_sender, receiver), row in rows.items():
        if receiver not in chosen and row.uncertain and (garbled.from_party, receiver) in garbled.pairs():
            row.active = False
            row.reading = ""
            row.validated_at = None
            row.validation_reference = f"andere lezing gevalideerd ({option.code}): {reference}"
            row.validated_by = validated_by
    session.flush()
    return validated

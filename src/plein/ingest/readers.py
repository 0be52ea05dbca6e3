"""Streaming readers for partner files (CSV, XLSX, JSON): one row at a time, never the whole file.

Whole-file problems (0 bytes, binary content, wrong encoding or delimiter, missing columns) stop
the import with one message before anything is stored. Row problems (a truncated line, a formula
in a spreadsheet cell, undecodable bytes further on) travel with the row so that the importer can
quarantine it: no row is ever dropped.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from plein.errors import ValidationError
from plein.ingest.csvlines import (
    KEPT_CHARS,
    CsvRecord,
    CsvRecords,
    LineCount,
    decoded_lines,
    is_single_byte,
    physical_lines,
)
from plein.ingest.mapping import Mapping
from plein.policy.wgs import forbidden_category

SNIFF_BYTES = 64 * 1024
FORMULA_PREFIXES = ("=", "+", "@", "\t", "\r")


@dataclass
class RawRow:
    """One source row: its 1-based number, its values by column, and what is wrong with it."""

    number: int
    values: dict[str, Any]
    problem: str = ""
    problem_field: str = ""
    lines: int = 1  # physical lines of the file this row took (a quoted field may span several)


@dataclass
class RowSource:
    """An open partner file: its columns, refused columns, and an iterator over its rows."""

    columns: list[str]
    refused: dict[str, str]
    rows: Iterator[RawRow]
    handle: IO[bytes]
    notes: list[str] = field(default_factory=list)
    lines: LineCount | None = None  # CSV: the physical lines read and accounted for
    consumed: ByteCount | None = None  # CSV: bytes of the lines handed to the parser (reads run a block ahead)

    def lines_accounted(self) -> int | None:
        """Physical lines of the file that ended in the header, a blank line or a row (CSV only)."""
        return None if self.lines is None else self.lines.accounted

    def position(self) -> int:
        """Bytes consumed so far, for progress bars."""
        try:
            read = self.handle.tell()
        except (OSError, ValueError):
            return 0
        return read if self.consumed is None else min(read, self.consumed.total)


@dataclass
class ByteCount:
    """Bytes of the physical lines passed on so far (each with one byte for its line end)."""

    total: int = 0

    def counted(self, lines: Iterator[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
        for line, length in lines:
            self.total += length + 1
            yield line, length


def _refuse(path: Path, message: str) -> ValidationError:
    return ValidationError(f"Bestand {path.name}: {message}")


def _looks_binary(head: bytes) -> bool:
    """Binary content: a known file signature, or NUL bytes at the start or in more than 1 % of the text.

    A single NUL further on is a broken line, quarantined with its reason, not a binary file.
    """
    if head.startswith((b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")):
        return True
    return b"\x00" in head[:64] or head.count(b"\x00") * 100 > len(head)


def _check_not_empty_or_binary(path: Path, head: bytes, expect: str) -> None:
    if not head:
        raise _refuse(path, "het bestand is leeg (0 bytes); er is niets geïmporteerd.")
    if expect == "xlsx":
        if not head.startswith(b"PK"):
            raise _refuse(path, "dit is geen Excel-bestand (.xlsx); controleer het bestand en de bron.")
        return
    if _looks_binary(head):
        raise _refuse(
            path,
            f"dit is geen tekstbestand maar binaire inhoud; verwacht {expect.upper()}. "
            "Controleer of het juiste bestand is gekozen.",
        )


def _check_columns(path: Path, columns: list[str], mapping: Mapping, hint: str = "") -> dict[str, str]:
    refused = {c: cat for c in columns if (cat := forbidden_category(c))}
    missing = sorted(mapping.columns() - set(columns))
    if missing:
        raise _refuse(
            path,
            f"kolommen {', '.join(repr(m) for m in missing)} ontbreken (gevonden: "
            f"{', '.join(repr(c) for c in columns[:8])}{'…' if len(columns) > 8 else ''}).{hint}",
        )
    return refused


# ---------------------------------------------------------------- CSV


def _sniff_delimiter(header_line: str) -> str | None:
    counts = {d: header_line.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _mojibake_example(sample: bytes, encoding: str) -> str:
    """The first non-ASCII word of a UTF-8 sample, as UTF-8 and as ``encoding`` would misread it."""
    for word in re.findall(r"[^\s;,|\"']+", sample.decode("utf-8", errors="ignore")):
        if not word.isascii():
            word = word[:30]
            return f" ('{word}' zou als '{word.encode('utf-8').decode(encoding, errors='replace')}' worden opgeslagen)"
    return ""


def _refuse_utf8_for_single_byte(path: Path, sample: bytes, encoding: str) -> None:
    """A UTF-8 file given to a cp1252/latin-1 mapping: every accented letter would become mojibake."""
    if not is_single_byte(encoding) or sample.isascii():
        return
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # invalid UTF-8 before the sample's cut-off end: really single-byte
            return
    raise _refuse(
        path,
        f"de tekst is in UTF-8 gecodeerd, maar de mapping zegt {encoding}{_mojibake_example(sample, encoding)}. "
        "Zet in de mapping 'csv: {encoding: utf-8}' of sla het bestand op als "
        + f"{encoding}; er is niets geïmporteerd.",
    )


def open_csv(path: Path, mapping: Mapping) -> RowSource:
    """Open a CSV file with the mapping's delimiter and encoding, checking its header first."""
    handle = path.open("rb")
    try:
        head = handle.read(SNIFF_BYTES)
        _check_not_empty_or_binary(path, head, "csv")
        encoding = mapping.csv.encoding
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise _refuse(path, f"onbekende tekencodering {encoding!r} in de mapping.") from exc
        sample = head.removeprefix(codecs.BOM_UTF8)
        try:
            sample.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:  # not just a character cut off at the sample's end
                raise _refuse(
                    path,
                    f"de tekst is niet in {encoding} gecodeerd (onleesbaar teken op byte {exc.start + 1}). "
                    f"Sla het bestand op als {encoding} of pas de codering in de mapping aan "
                    "(bijvoorbeeld cp1252 voor Windows-Excel).",
                ) from exc
        _refuse_utf8_for_single_byte(path, sample, encoding)
        if not sample.strip():
            raise _refuse(path, "het bestand bevat alleen witruimte; er is niets geïmporteerd.")
        handle.seek(0)
        consumed = ByteCount()
        records = CsvRecords(
            decoded_lines(consumed.counted(physical_lines(handle)), encoding),
            mapping.csv.delimiter,
            mapping.csv.quotechar,
        )
        rows = iter(records)
        first = next((r for r in rows if not r.blank), None)
        if first is None:  # pragma: no cover - excluded by the whitespace check
            raise _refuse(path, "het bestand heeft geen kopregel.")
        if first.problem:
            raise _refuse(path, f"de kopregel is niet te lezen: {first.problem}; er is niets geïmporteerd.")
        header = [h.strip() for h in first.cells]
        records.width = len(header)
        hint = ""
        found = _sniff_delimiter(",".join(header) if len(header) > 1 else header[0])
        if len(header) == 1 and found and found != mapping.csv.delimiter:
            hint = (
                f" Het bestand lijkt {found!r} als scheidingsteken te gebruiken in plaats van "
                f"{mapping.csv.delimiter!r}; pas de mapping of het bestand aan."
            )
        refused = _check_columns(path, header, mapping, hint)
    except BaseException:
        handle.close()
        raise
    return RowSource(header, refused, _csv_rows(rows, header, encoding), handle, lines=records.lines, consumed=consumed)


def _kept(value: str) -> str:
    return value if len(value) <= KEPT_CHARS else value[:KEPT_CHARS] + "…"


def _csv_rows(records: Iterator[CsvRecord], header: list[str], encoding: str) -> Iterator[RawRow]:
    number = 0
    width = len(header)
    for record in records:
        if record.blank:
            continue
        number += 1
        cells = record.cells
        if not (record.problem or record.bad or record.utf8) and len(cells) == width and "\x00" not in "".join(cells):
            yield RawRow(number, dict(zip(header, cells, strict=True)), lines=record.lines)
            continue
        where = f"regel {record.first}" if record.lines == 1 else f"regels {record.first}-{record.last}"
        problem = record.problem
        if problem:
            cells = [_kept(c) for c in cells]
        elif record.bad:
            problem = f"{where} bevat tekens die niet in de opgegeven codering ({encoding}) te lezen zijn"
        elif record.utf8:
            problem = (
                f"{where} is in UTF-8 gecodeerd, niet in {encoding} zoals de mapping zegt; "
                "corrigeer de tekens of zet de codering in de mapping op utf-8"
            )
        elif any("\x00" in c for c in cells):
            problem = f"{where} bevat een NUL-teken (binaire inhoud in een tekstbestand)"
            cells = [c.replace("\x00", "\ufffd") for c in cells]
        elif len(cells) < width:
            problem = (
                f"{where} heeft {len(cells)} velden, verwacht {width} (afgebroken regel of verkeerd scheidingsteken?)"
            )
        values: dict[str, Any] = dict(zip(header, cells, strict=False))
        if len(cells) > width:
            problem = problem or f"{where} heeft {len(cells)} velden, verwacht {width}"
            values["_extra"] = cells[width:]
        yield RawRow(number, values, problem, lines=record.lines)


# ---------------------------------------------------------------- XLSX


def open_xlsx(path: Path, mapping: Mapping) -> RowSource:
    """Open the mapping's sheet read-only and stream its rows; formulas are flagged, not evaluated."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    handle = path.open("rb")
    head = handle.read(8)
    try:
        _check_not_empty_or_binary(path, head, "xlsx")
        handle.seek(0)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=False)
        except (InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise _refuse(path, f"het Excel-bestand is beschadigd of onvolledig ({type(exc).__name__}).") from exc
        except Exception as exc:  # zipfile.BadZipFile and friends
            raise _refuse(path, f"het Excel-bestand is niet te openen ({type(exc).__name__}).") from exc
        if mapping.sheet and mapping.sheet not in workbook.sheetnames:
            raise _refuse(path, f"werkblad {mapping.sheet!r} ontbreekt (wel: {', '.join(workbook.sheetnames)}).")
        sheet = workbook[mapping.sheet] if mapping.sheet else workbook.worksheets[0]
        rows = sheet.iter_rows()
        try:
            header_cells = next(rows)
        except StopIteration as exc:
            raise _refuse(path, "het werkblad is leeg; er is niets geïmporteerd.") from exc
        header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
        refused = _check_columns(path, header, mapping)
    except BaseException:
        handle.close()
        raise
    return RowSource(header, refused, _xlsx_rows(rows, header), handle)


def _xlsx_rows(rows: Iterable[Any], header: list[str]) -> Iterator[RawRow]:
    number = 0
    for cells in rows:
        values: dict[str, Any] = {}
        problem = ""
        problem_field = ""
        for column, cell in zip(header, cells, strict=False):
            value = cell.value
            if value is None:
                continue
            is_formula = getattr(cell, "data_type", "") == "f"
            if isinstance(value, str) and (is_formula or value.startswith(FORMULA_PREFIXES)) and not problem:
                coordinate = getattr(cell, "coordinate", column)
                problem = (
                    f"cel {coordinate} ({column}) bevat een formule of formule-achtige tekst "
                    f"{value[:40]!r}; plein neemt geen formules over"
                )
                problem_field = column
            values[column] = value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
        if not values:
            continue
        number += 1
        yield RawRow(number, values, problem, problem_field)


# ---------------------------------------------------------------- JSON


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    else:
        out[prefix] = value


def _json_objects(handle: IO[bytes], encoding: str) -> Iterator[tuple[Any, str]]:
    """Objects of a top-level JSON array or of JSON Lines, decoded incrementally."""
    decoder = json.JSONDecoder()
    text_stream = codecs.getincrementaldecoder(encoding)(errors="strict")
    buffer = ""
    started = False
    eof = False
    while True:
        if not eof and len(buffer) < 1 << 16:
            chunk = handle.read(1 << 16)
            if chunk:
                buffer += text_stream.decode(chunk)
            else:
                buffer += text_stream.decode(b"", final=True)
                eof = True
        buffer = buffer.lstrip(" \t\r\n,\ufeff")
        if not started and buffer.startswith("["):
            buffer = buffer[1:]
            started = True
            continue
        if buffer.startswith("]"):
            return
        if not buffer:
            if eof:
                if started:
                    yield None, "het JSON-bestand houdt op vóór de afsluitende ']' (afgebroken bestand?)"
                return
            continue
        try:
            obj, end = decoder.raw_decode(buffer)
        except json.JSONDecodeError as exc:
            if not eof:
                more = handle.read(1 << 16)
                if more:
                    buffer += text_stream.decode(more)
                    continue
                buffer += text_stream.decode(b"", final=True)
                eof = True
                continue
            yield None, f"onleesbare JSON ({exc.msg}); de rest van het bestand is als één regel apart gezet"
            return
        buffer = buffer[end:]
        yield obj, ""


def open_json(path: Path, mapping: Mapping) -> RowSource:
    """Open a JSON array (or JSON Lines) of objects; nested objects become dotted column names."""
    handle = path.open("rb")
    try:
        head = handle.read(SNIFF_BYTES)
        _check_not_empty_or_binary(path, head, "json")
        stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
        if not stripped:
            raise _refuse(path, "het bestand bevat alleen witruimte; er is niets geïmporteerd.")
        if stripped[:1] not in (b"[", b"{"):
            raise _refuse(path, "dit is geen JSON (verwacht een lijst van objecten tussen [ en ]).")
        try:
            head.decode(mapping.csv.encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                raise _refuse(path, f"de tekst is niet in {mapping.csv.encoding} gecodeerd.") from exc
        _refuse_utf8_for_single_byte(path, head.removeprefix(codecs.BOM_UTF8), mapping.csv.encoding)
        handle.seek(0)
        objects = _json_objects(handle, mapping.csv.encoding)
        first = next(objects, None)
    except BaseException:
        handle.close()
        raise
    return RowSource(sorted(mapping.columns()), {}, _json_rows(first, objects, mapping), handle)


def _json_rows(first: tuple[Any, str] | None, objects: Iterator[tuple[Any, str]], mapping: Mapping) -> Iterator[RawRow]:
    number = 0
    pending = [first] if first is not None else []

    def stream() -> Iterator[tuple[Any, str]]:
        yield from pending
        try:
            yield from objects
        except UnicodeDecodeError as exc:
            yield None, f"tekens die niet in {mapping.csv.encoding} te lezen zijn ({exc.reason})"

    for obj, problem in stream():
        number += 1
        if problem:
            yield RawRow(number, {}, problem)
            return
        if not isinstance(obj, dict):
            yield RawRow(number, {"waarde": obj}, "element is geen object met velden")
            continue
        flat: dict[str, Any] = {}
        _flatten("", obj, flat)
        refused = {k for k in flat if forbidden_category(k)}
        for key in refused:
            flat.pop(key)
        yield RawRow(number, flat)


def open_rows(path: Path, mapping: Mapping) -> RowSource:
    """Open ``path`` with the reader for the mapping's format."""
    if not path.is_file():
        raise ValidationError(f"Bestand {path} bestaat niet of is geen bestand.")
    opener = {"csv": open_csv, "xlsx": open_xlsx, "json": open_json}[mapping.format]
    return opener(path, mapping)

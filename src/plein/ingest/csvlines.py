"""CSV records assembled from physical lines, so that a broken line can only cost itself.

The file is first split into physical lines (``\\n``, ``\\r\\n`` or a lone ``\\r``), independently of
the CSV parser, and every line is accounted for: it ends in the header, a blank line or exactly one
record. A line that the parser would merge with the lines after it (a stray ``"`` opening a field,
an unterminated quote at the end of the file) or one that is far too long is handed out alone as a
broken record, and reading resumes at the next line; a quoted field may span a few lines, but not
lines that look like whole rows of their own. The importer compares the count with a byte count of
the same file (``count_lines``): rows in = stored + quarantined, and lines read = lines in the file.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

MAX_RECORD_CHARS = 65_536  # longer rows are quarantined, not parsed
MAX_RECORD_LINES = 100  # a quoted field spanning more physical lines than this is a stray quote
MAX_LINE_BYTES = 1 << 20  # of an over-long line only this much is kept in memory
KEPT_CHARS = 2_000  # of each value of a broken row, this much is kept in quarantine
BLOCK = 1 << 20
_EOL = re.compile(rb"\r\n|\n|\r")
SINGLE_BYTE = frozenset({"cp1252", "latin_1", "iso8859_15", "cp850", "mac_roman"})


def is_single_byte(encoding: str) -> bool:
    """True for the Windows and ISO single-byte encodings that read any byte, even UTF-8, without error."""
    return codecs.lookup(encoding).name.replace("-", "_") in SINGLE_BYTE


def count_lines(handle: IO[bytes]) -> int:
    """Physical lines in a file by counting line ends in its bytes (the independent count)."""
    lines = 0
    previous_cr = False
    last = b""
    while block := handle.read(BLOCK):
        crlf = block.count(b"\r\n") + (1 if previous_cr and block.startswith(b"\n") else 0)
        lines += block.count(b"\n") + block.count(b"\r") - crlf
        previous_cr = block.endswith(b"\r")
        last = block[-1:]
    if last and last not in b"\r\n":
        lines += 1  # a last line without a line end
    return lines


def physical_lines(handle: IO[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each physical line without its end, with its full length in bytes (over-long lines are cut)."""
    rest = b""
    dropped = 0  # bytes of the current over-long line not kept
    while True:
        block = handle.read(BLOCK)
        data = rest + block if rest else block
        final = not block
        limit = len(data) if final or not data.endswith(b"\r") else len(data) - 1  # \r\n may straddle
        start = 0
        for match in _EOL.finditer(data, 0, limit):
            piece = data[start : match.start()]
            yield piece, len(piece) + dropped
            dropped = 0
            start = match.end()
        rest = data[start:]
        if final:
            if rest or dropped:
                yield rest, len(rest) + dropped
            return
        if len(rest) > MAX_LINE_BYTES:
            keep = rest[:MAX_LINE_BYTES] + (b"\r" if rest.endswith(b"\r") else b"")
            dropped += len(rest) - len(keep)
            rest = keep


@dataclass(slots=True)
class Line:
    """One physical line, decoded."""

    number: int
    text: str
    length: int  # bytes in the file, without the line end
    bad: bool = False  # not valid in the mapping's encoding
    utf8: bool = False  # valid multi-byte UTF-8 read with a single-byte encoding: mojibake


@dataclass
class LineCount:
    """Physical lines decoded so far, and how many of them ended in a record or a blank line."""

    seen: int = 0
    accounted: int = 0


def decoded_lines(lines: Iterator[tuple[bytes, int]], encoding: str) -> Iterator[Line]:
    """Decode line by line; undecodable lines are kept (with replacement characters) and flagged."""
    ascii_compatible = "a;\n".encode(encoding, errors="replace") == b"a;\n"
    single = is_single_byte(encoding)
    number = 0
    for raw, length in lines:
        number += 1
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        if ascii_compatible and raw.isascii():
            yield Line(number, raw.decode("ascii"), length)
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            yield Line(number, raw.decode(encoding, errors="replace"), length, bad=True)
            continue
        utf8 = False
        if single:
            try:
                raw.decode("utf-8")
                utf8 = True
            except UnicodeDecodeError:
                pass
        yield Line(number, text, length, utf8=utf8)


@dataclass(slots=True)
class CsvRecord:
    """One record: its cells, the physical lines it took, and what is wrong with it."""

    cells: list[str]
    first: int
    last: int
    problem: str = ""
    bad: bool = False
    utf8: bool = False
    blank: bool = False  # no content (skipped, but counted)

    @property
    def lines(self) -> int:
        """Physical lines of the file in this record."""
        return self.last - self.first + 1


_INCOMPLETE = "unexpected end of data"


@dataclass
class CsvRecords:
    """Iterate records over decoded lines; ``width`` (the header's) helps tell a swallowed row."""

    source: Iterator[Line]
    delimiter: str
    quotechar: str
    width: int = 0
    lines: LineCount = field(default_factory=LineCount)
    _again: deque[Line] = field(default_factory=deque)

    def _next(self) -> Line | None:
        if self._again:
            return self._again.popleft()
        line = next(self.source, None)
        if line is not None:
            self.lines.seen = line.number
        return line

    def _emit(self, record: CsvRecord) -> CsvRecord:
        self.lines.accounted += record.lines
        return record

    def _loose(self, line: Line) -> list[str]:
        """The cells of one line read leniently, for a broken row kept in quarantine."""
        text = line.text[:MAX_RECORD_CHARS]
        try:
            return next(csv.reader([text], delimiter=self.delimiter, quotechar=self.quotechar), [])
        except csv.Error:
            return text.split(self.delimiter)

    def _broken(self, line: Line, problem: str) -> CsvRecord:
        return self._emit(CsvRecord(self._loose(line), line.number, line.number, problem, line.bad, line.utf8))

    def _record(self, pending: list[Line], cells: list[str]) -> CsvRecord:
        return self._emit(
            CsvRecord(
                cells,
                pending[0].number,
                pending[-1].number,
                bad=any(line.bad for line in pending),
                utf8=any(line.utf8 for line in pending),
                blank=all(not c.strip() for c in cells),
            )
        )

    def _resync(self, pending: list[Line], problem: str) -> CsvRecord:
        """Hand out the first pending line as broken; the others are read again as lines of their own."""
        self._again.extendleft(reversed(pending[1:]))
        return self._broken(pending[0], problem)

    def _parse(self, pending: list[Line]) -> list[str] | str | None:
        """The cells of ``pending`` as one record; None if a quote is still open; a message if malformed."""
        texts = [line.text + "\n" for line in pending]
        try:
            rows = list(csv.reader(texts, delimiter=self.delimiter, quotechar=self.quotechar, strict=True))
        except csv.Error as exc:
            return None if _INCOMPLETE in str(exc) else str(exc)
        return rows[0] if rows else []

    def _looks_like_rows(self, lines: list[Line]) -> bool:
        return self.width > 1 and any(line.text.count(self.delimiter) >= self.width - 1 for line in lines)

    def _too_long(self, line: Line) -> str:
        return (
            f"regel {line.number} is {line.length:,} bytes lang; een regel mag hoogstens "
            f"{MAX_RECORD_CHARS:,} tekens hebben (een veld zonder einde of een ingeplakt bestand?)"
        ).replace(",", ".")

    def __iter__(self) -> Iterator[CsvRecord]:
        pending: list[Line] = []
        quote = self.quotechar
        while True:
            line = self._next()
            if line is None:
                if not pending:
                    return
                yield self._resync(
                    pending,
                    f"regel {pending[0].number}: een aanhalingsteken opent een veld dat niet gesloten wordt "
                    "vóór het einde van het bestand (afgebroken bestand?)",
                )
                pending = []
                continue
            too_long = line.length > MAX_RECORD_CHARS or len(line.text) > MAX_RECORD_CHARS
            if not pending:
                if too_long:
                    yield self._broken(line, self._too_long(line))
                    continue
                text = line.text
                if quote not in text:  # the common case: no quoting, so the cells are the split line
                    self.lines.accounted += 1
                    blank = not text.replace(self.delimiter, "").strip()
                    yield CsvRecord(
                        text.split(self.delimiter), line.number, line.number, "", line.bad, line.utf8, blank
                    )
                    continue
            pending.append(line)
            if too_long or sum(len(p.text) for p in pending) > MAX_RECORD_CHARS:
                yield self._stray(pending)
                pending = []
                continue
            cells = self._parse(pending)
            if cells is None:  # a quoted field is still open
                if len(pending) >= MAX_RECORD_LINES:
                    yield self._stray(pending)
                    pending = []
                continue
            if isinstance(cells, str):  # malformed quoting
                if len(pending) == 1:
                    yield self._broken(line, f"regel {line.number}: onjuist gebruik van aanhalingstekens ({cells})")
                else:
                    yield self._stray(pending)
                pending = []
                continue
            if len(pending) > 1 and self._looks_like_rows(pending[1:]):
                yield self._stray(pending)
            else:
                yield self._record(pending, cells)
            pending = []

    def _stray(self, pending: list[Line]) -> CsvRecord:
        first = pending[0]
        if len(pending) == 1:
            return self._broken(first, self._too_long(first))
        return self._resync(
            pending,
            f"regel {first.number}: een aanhalingsteken opent een veld dat niet op deze regel sluit en de "
            "volgende regels zou opslokken; deze regel staat apart, de volgende zijn los gelezen",
        )

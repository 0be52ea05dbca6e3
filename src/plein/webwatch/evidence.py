"""The evidence store: every fetched page as a timestamped WARC response record with its SHA-256.

Records are gzipped one by one (warcio's default), so a record can be read back from its offset
alone: an inspector can show exactly what a page said on the day it was fetched, and the hash proves
it was not changed since. Each crawler process writes its own file, so processes never share a
writer. Reading goes through ``service`` (the policy gate), never directly from the web layer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from plein.errors import ValidationError
from plein.settings import Settings, get_settings

HASH_HEADER = "WARC-Plein-Content-SHA256"


@dataclass(frozen=True)
class StoredPage:
    """Where one page lies in the store and what its body hashes to."""

    warc_file: str
    offset: int
    content_hash: str
    size: int


@dataclass(frozen=True)
class EvidencePage:
    """A page read back from the store."""

    url: str
    fetched_at: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    content_hash: str


def default_evidence_root(settings: Settings | None = None) -> Path:
    """Where WARC files live; access goes through ``read_evidence`` only."""
    return (settings or get_settings()).var_dir / "webwatch" / "evidence"


def content_hash(body: bytes) -> str:
    """SHA-256 of the page body, hex."""
    return hashlib.sha256(body).hexdigest()


class EvidenceWriter:
    """Appends WARC records to one file per process and crawl under ``root``."""

    def __init__(self, root: Path, crawl_id: str) -> None:
        self.root = root
        self.directory = root / crawl_id
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        self.path = self.directory / f"{stamp}-{os.getpid()}.warc.gz"
        self._lock = threading.Lock()

    def write(
        self, url: str, status: int, headers: list[tuple[str, str]], body: bytes, fetched_at: dt.datetime
    ) -> StoredPage:
        """Append one response record; returns its file (relative to the root), offset and hash."""
        digest = content_hash(body)
        http_headers = StatusAndHeaders(f"{status} {'OK' if status == 200 else 'Status'}", headers, protocol="HTTP/1.1")
        with self._lock, self.path.open("ab") as handle:
            offset = handle.tell()
            writer = WARCWriter(handle, gzip=True)
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Date": fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"), HASH_HEADER: digest},
            )
            writer.write_record(record)
            handle.flush()
            os.fsync(handle.fileno())
        return StoredPage(str(self.path.relative_to(self.root)), offset, digest, len(body))


def read_page(root: Path, warc_file: str, offset: int) -> EvidencePage:
    """The record at ``offset``; the body's hash is checked against the one stored with it."""
    path = (root / warc_file).resolve()
    if root.resolve() not in path.parents or not path.is_file():
        raise ValidationError(f"Bewijsbestand {warc_file} bestaat niet in de bewijsopslag.")
    with path.open("rb") as handle:
        handle.seek(offset)
        for record in ArchiveIterator(handle):
            body = record.content_stream().read()
            expected = record.rec_headers.get_header(HASH_HEADER) or ""
            actual = content_hash(body)
            if expected and expected != actual:
                raise ValidationError(f"Bewijs op {warc_file}@{offset} is gewijzigd: hash klopt niet.")
            http = record.http_headers
            return EvidencePage(
                url=record.rec_headers.get_header("WARC-Target-URI") or "",
                fetched_at=record.rec_headers.get_header("WARC-Date") or "",
                status=int(http.get_statuscode() or 0) if http else 0,
                headers=list(http.headers) if http else [],
                body=body,
                content_hash=actual,
            )
    raise ValidationError(f"Geen bewijsrecord op {warc_file}@{offset}.")

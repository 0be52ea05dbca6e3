"""Signed tree heads written outside the database, so a shortened or wiped log is detected.

After every sealed batch the appender appends one line to the checkpoints file (and, when
configured, posts it to a witness): the tree size, its Merkle root and the time, signed with an
Ed25519 key derived from plein's secret key. Someone who can only change the database cannot write
a valid checkpoint, and ``plein audit verify`` demands that the log still holds the largest signed
tree: at least as many entries, the first of which hash to the signed root.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

log = logging.getLogger(__name__)
ORIGIN = "plein-verwerkingenlogboek"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One signed tree head."""

    size: int
    root: str
    at: str
    key: str  # hex of the Ed25519 public key that signed it
    signature: str  # base64

    def body(self) -> bytes:
        return _body(self.size, self.root, self.at)

    def line(self) -> str:
        data = {"origin": ORIGIN, "size": self.size, "root": self.root, "at": self.at}
        return json.dumps(data | {"key": self.key, "sig": self.signature}, separators=(",", ":"))


def _body(size: int, root: str, at: str) -> bytes:
    return f"{ORIGIN}\n{size}\n{root}\n{at}\n".encode()


@lru_cache(maxsize=16)
def signing_key(seed: bytes) -> Ed25519PrivateKey:
    """The checkpoint key from its seed (``AuditKeys.checkpoint``, derived from the secret key)."""
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_hex(seed: bytes) -> str:
    """The public half, which a witness or auditor can hold to check checkpoints without the secret."""
    return signing_key(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign(seed: bytes, size: int, root: str, at: dt.datetime | None = None) -> Checkpoint:
    stamp = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    signature = signing_key(seed).sign(_body(size, root, stamp))
    return Checkpoint(size, root, stamp, public_key_hex(seed), base64.b64encode(signature).decode("ascii"))


def signature_holds(checkpoint: Checkpoint, public_key: str) -> bool:
    """True when ``checkpoint`` was signed by ``public_key`` (hex) over its own content."""
    if checkpoint.key != public_key:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
        key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.body())
    except (InvalidSignature, ValueError):
        return False
    return True


class CheckpointError(Exception):
    """A line of the checkpoints file that is not a checkpoint."""


def parse_line(text: str) -> Checkpoint:
    try:
        data = json.loads(text)
        if data.get("origin") != ORIGIN:
            raise CheckpointError("onbekende herkomst")
        return Checkpoint(int(data["size"]), str(data["root"]), str(data["at"]), str(data["key"]), str(data["sig"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(str(exc)) from exc


@dataclass(slots=True)
class CheckpointLog:
    """The append-only checkpoints file (and optional witness URL) of one installation."""

    path: Path
    witness_url: str = ""
    _last_size: int | None = None

    def _largest(self) -> int:
        if self._last_size is None:
            found, _broken = self.read()
            self._last_size = max((c.size for c in found), default=-1)
        return self._last_size

    def behind(self, size: int) -> bool:
        """True when the largest checkpoint written here (or found in the file) is smaller than ``size``."""
        return self._largest() < size

    def ahead_of(self, size: int) -> bool:
        """True when a checkpoint already claims more than ``size`` entries (the log was shortened)."""
        return self._largest() > size

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the file's lock: one sealer at a time on this machine, checkpoints in tree order."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_suffix(self.path.suffix + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def append(self, checkpoint: Checkpoint) -> None:
        """Append one line (flushed to disk), then tell the witness; a witness failure is only logged."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (checkpoint.line() + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        self._last_size = max(self._last_size or -1, checkpoint.size)
        if self.witness_url:
            try:
                httpx.post(self.witness_url, content=checkpoint.line(), timeout=2.0).raise_for_status()
            except httpx.HTTPError as exc:
                log.warning("Getuige %s nam checkpoint %s niet aan: %s", self.witness_url, checkpoint.size, exc)

    def read(self) -> tuple[list[Checkpoint], list[int]]:
        """All checkpoints in the file, and the numbers of lines that are not checkpoints."""
        if not self.path.exists():
            return [], []
        found: list[Checkpoint] = []
        broken: list[int] = []
        with self.path.open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    found.append(parse_line(text))
                except CheckpointError:
                    broken.append(number)
        return found, broken

"""The one sealer: takes committed pending entries into the chain in batches and signs each new tree head.

``plein serve`` runs an ``Appender`` thread; ``plein audit seal`` and the tests call ``seal_all``.
Sealers exclude each other (a lock on the checkpoints file on this machine, an advisory lock and the
head row in the database), and a checkpoint is written only after its batch has committed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from plein.audit.chain import SealResult, seal
from plein.audit.checkpoint import CheckpointLog, sign
from plein.audit.keys import AuditKeys
from plein.settings import Settings

log = logging.getLogger(__name__)
BATCH = 5000


def checkpoint_log(settings: Settings) -> CheckpointLog:
    """The installation's checkpoints file (and witness)."""
    return CheckpointLog(settings.resolved_checkpoint_file(), settings.audit_witness_url)


def seal_pending(
    engine: Engine, keys: AuditKeys, checkpoints: CheckpointLog | None, *, limit: int = BATCH
) -> SealResult:
    """Seal one batch and, when the tree grew (or was never signed), append its signed head."""
    guard = checkpoints.locked() if checkpoints is not None else contextlib.nullcontext()
    with guard:
        with engine.begin() as connection:
            result = seal(connection, keys, limit=limit)
        if checkpoints is None or result.busy:
            return result
        if checkpoints.ahead_of(result.size):  # never sign a shortened log as if it were whole
            log.error(
                "Het verwerkingenlogboek telt %d regels, minder dan het laatste checkpoint in %s: "
                "er is niet ondertekend. Voer `plein audit verify` uit.",
                result.size,
                checkpoints.path,
            )
        elif result.sequenced or checkpoints.behind(result.size):
            checkpoints.append(sign(keys.checkpoint, result.size, result.root))
    return result


def seal_all(engine: Engine, keys: AuditKeys, checkpoints: CheckpointLog | None) -> SealResult:
    """Seal until nothing committed is pending; the sequence numbers of all batches together."""
    total = SealResult()
    while True:
        result = seal_pending(engine, keys, checkpoints)
        total.sequenced.extend(result.sequenced)
        total.refused = result.refused
        total.size, total.root, total.busy = result.size, result.root, result.busy
        if result.busy or len(result.sequenced) + len(result.refused) < BATCH:
            return total


class Appender:
    """A background thread sealing every ``interval`` seconds until stopped (a context manager)."""

    def __init__(self, engine: Engine, keys: AuditKeys, checkpoints: CheckpointLog, interval: float = 0.2) -> None:
        self.engine, self.keys, self.checkpoints, self.interval = engine, keys, checkpoints, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="plein-audit-appender", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = seal_pending(self.engine, self.keys, self.checkpoints)
            except OperationalError as exc:  # e.g. SQLite busy beyond its timeout: try again next round
                log.warning("Verzegelen van het verwerkingenlogboek mislukte, volgende ronde opnieuw: %s", exc)
                result = SealResult()
            except Exception:
                log.exception("Verzegelen van het verwerkingenlogboek mislukte")
                result = SealResult()
            if len(result.sequenced) < BATCH:
                self._stop.wait(self.interval)

    def __enter__(self) -> Appender:
        self._thread.start()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        """Stop, then seal what the last requests committed, so a clean shutdown leaves nothing pending."""
        self._stop.set()
        self._thread.join(timeout=30)
        try:
            seal_all(self.engine, self.keys, self.checkpoints)
        except Exception:
            log.exception("Laatste verzegeling bij het stoppen mislukte")

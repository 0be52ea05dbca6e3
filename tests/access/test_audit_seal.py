"""Sealing the audit log in batches: writers never wait on the chain, one entry can be proved in the
signed tree, and a shortened or wiped log is found against the checkpoints kept outside the database."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event, func, select, text
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.appender import Appender, seal_all, seal_pending
from plein.audit.chain import (
    GENESIS,
    PENDING_BASE,
    ActorInfo,
    InclusionProof,
    NotInLog,
    prove,
    seal,
    verify,
)
from plein.audit.checkpoint import CheckpointLog, parse_line, public_key_hex, sign, signature_holds
from plein.audit.events import record_event
from plein.audit.keys import keys_from_secret
from plein.audit.merkle import EMPTY_ROOT, Frontier, inclusion_path, leaf_hash, root_from_path, tree_root
from plein.audit.models import AuditChainHead, AuditEntry
from plein.audit.query import latest_checkpoint, verify_log

KEYS = keys_from_secret("seal-test")
ACTOR = ActorInfo(1, "a.analist", "ODA", "analist")


def _record(engine: Engine, count: int, prefix: str = "lezen") -> None:
    """``count`` requests, each committing one entry with a data subject."""
    for i in range(count):
        with Session(engine) as session:
            record_event(
                session,
                KEYS,
                actor=ACTOR,
                name=AuditAction.RECORD_READ,
                processing_activity="toezicht",
                subjects=[("kvk", f"{10000000 + i}")],
                details={"i": i, "verzoek": f"{prefix}.{i}"},
            )
            session.commit()


def _head(engine: Engine) -> tuple[int, str, str | None]:
    with engine.connect() as connection:
        row = connection.execute(
            select(AuditChainHead.last_seq, AuditChainHead.last_hash, AuditChainHead.root_hash)
        ).one()
    return int(row.last_seq), row.last_hash, row.root_hash


def test_merkle_paths_lead_to_the_root_for_every_size_and_leaf() -> None:
    assert Frontier().root() == EMPTY_ROOT
    for size in range(1, 34):
        leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(size)]
        root = tree_root(leaves)
        frontier = Frontier()
        for leaf in leaves:
            frontier.append(leaf)
        assert frontier.root() == root.hex(), size
        assert Frontier.load(size, frontier.dump()).root() == root.hex()
        for index in range(size):
            path = inclusion_path(leaves, index)
            assert len(path) <= size.bit_length()
            assert root_from_path(leaves[index], index, size, path) == root, (size, index)
            assert root_from_path(leaves[(index + 1) % size], index, size, path) != root or size == 1
            if size > 1:
                assert root_from_path(leaves[index], (index + 1) % size, size, path) != root
        assert root_from_path(leaves[0], size, size, inclusion_path(leaves, 0)) is None


def test_entries_wait_unsealed_until_the_sealer_takes_them(audit_engine: Engine) -> None:
    _record(audit_engine, 3)
    with audit_engine.connect() as connection:
        provisional = connection.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        assert len(provisional) == 3 and all(seq > PENDING_BASE for seq in provisional)
        verdict = verify(connection, KEYS)
        assert verdict.intact and verdict.checked == 0 and verdict.pending == 3 and verdict.stale == 0, verdict
        import datetime as dt

        later = verify(connection, KEYS, now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))
        assert later.intact and later.stale == 3, later
    assert _head(audit_engine)[0] == 0
    with audit_engine.begin() as connection:
        assert seal(connection, KEYS).sequenced == [1, 2, 3]
    with audit_engine.connect() as connection:
        written = [d["verzoek"] for d in connection.scalars(select(AuditEntry.details).order_by(AuditEntry.seq))]
        assert written == ["lezen.0", "lezen.1", "lezen.2"]  # in the order they were written
        verdict = verify(connection, KEYS)
    size, _last, root = _head(audit_engine)
    assert verdict.intact and verdict.checked == 3 and verdict.pending == 0, verdict
    assert size == 3 and root == verdict.root


def test_a_request_commits_its_entry_without_touching_the_chain_head(audit_engine: Engine) -> None:
    """No statement of a request's commit reads or writes the chain head (that is the sealer's)."""
    statements: list[str] = []

    def remember(_conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.lower())

    event.listen(audit_engine, "before_cursor_execute", remember)
    try:
        _record(audit_engine, 2)
    finally:
        event.remove(audit_engine, "before_cursor_execute", remember)
    assert any("insert into audit_entry" in s for s in statements)
    assert not [s for s in statements if "audit_chain_head" in s]


def test_a_writer_does_not_wait_for_a_sealer_at_work(audit_engine: Engine) -> None:
    """PostgreSQL: a request commits its entry while a sealer holds the chain head; the entry is
    sealed afterwards. (SQLite has one writer at a time by design: there every write waits.)"""
    if audit_engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises all writers; the head is not the bottleneck there")
    _record(audit_engine, 1)
    finished = threading.Event()
    with audit_engine.connect() as sealer:
        transaction = sealer.begin()
        sealer.execute(select(AuditChainHead).with_for_update()).one()
        worker = threading.Thread(target=lambda: (_record(audit_engine, 1, "tijdens"), finished.set()))
        worker.start()
        assert finished.wait(10), "the request waited for the sealer"
        transaction.commit()
    worker.join()
    seal_all(audit_engine, KEYS, None)
    with audit_engine.connect() as connection:
        verdict = verify(connection, KEYS)
    assert verdict.intact and verdict.checked == 2 and verdict.pending == 0


def test_a_changed_pending_entry_is_not_sealed_and_is_named(audit_engine: Engine) -> None:
    _record(audit_engine, 2)
    with audit_engine.begin() as connection:
        second = connection.scalar(select(func.max(AuditEntry.seq)))
        connection.execute(text(f"UPDATE audit_entry SET object_id = 'vervalst' WHERE seq = {second}"))
    with audit_engine.begin() as connection:
        result = seal(connection, KEYS)
    assert result.sequenced == [1] and result.refused == [second]
    with audit_engine.connect() as connection:
        verdict = verify(connection, KEYS)
    assert not verdict.intact and verdict.first_bad == second and "voorlopig nummer" in verdict.reason, verdict
    assert verdict.checked == 1


def test_every_entry_is_proved_in_the_signed_tree(audit_engine: Engine, tmp_path: Path) -> None:
    checkpoints = CheckpointLog(tmp_path / "checkpoints.log")
    _record(audit_engine, 4)
    seal_all(audit_engine, KEYS, checkpoints)
    _record(audit_engine, 7, "daarna")
    seal_all(audit_engine, KEYS, checkpoints)
    found, broken = checkpoints.read()
    assert [c.size for c in found] == [4, 11] and not broken
    checkpoint, problems = latest_checkpoint(checkpoints, KEYS)
    assert checkpoint is not None and checkpoint.size == 11 and not problems
    with audit_engine.connect() as connection:
        for seq in range(1, 12):
            proof = prove(connection, KEYS, seq, checkpoint.size)
            assert proof.holds() and proof.root == checkpoint.root, seq
        early = prove(connection, KEYS, 3, 4)  # also in the older, smaller signed tree
        assert early.holds() and early.root == found[0].root
        proof = prove(connection, KEYS, 5, 11)
        forged = InclusionProof(proof.seq, proof.size, proof.leaf, [*proof.path[:-1], "00" * 32], proof.root)
        assert not forged.holds()
        moved = InclusionProof(6, proof.size, proof.leaf, proof.path, proof.root)
        assert not moved.holds()
        with pytest.raises(NotInLog, match="buiten de boom"):
            prove(connection, KEYS, 12, 11)
        connection.rollback()
        transaction = connection.begin()
        connection.execute(text("UPDATE audit_entry SET name = 'anders' WHERE seq = 5"))
        with pytest.raises(NotInLog, match="gewijzigd"):
            prove(connection, KEYS, 5, 11)
        transaction.rollback()


def _cut_tail_and_rewrite_head(connection: Connection, keep: int) -> None:
    """What someone with only database access can do: drop the newest entries and make the head
    (chain link and Merkle tree, both computable without the key) describe the shorter log."""
    connection.execute(text(f"DELETE FROM audit_subject WHERE entry_seq > {keep}"))
    connection.execute(text(f"DELETE FROM audit_entry WHERE seq > {keep}"))
    hashes = connection.scalars(select(AuditEntry.hash).order_by(AuditEntry.seq)).all()
    frontier = Frontier()
    for digest in hashes:
        frontier.append(leaf_hash(digest))
    connection.execute(
        text("UPDATE audit_chain_head SET last_seq = :n, last_hash = :h, frontier = :f, root_hash = :r"),
        {"n": keep, "h": hashes[-1] if hashes else GENESIS, "f": frontier.dump(), "r": frontier.root()},
    )


@pytest.mark.parametrize(("keep", "first_bad"), [(4, 5), (0, 1)], ids=["tail cut, head rewritten", "log wiped"])
def test_a_shortened_log_with_a_matching_head_is_found_by_the_checkpoint(
    audit_engine: Engine, tmp_path: Path, keep: int, first_bad: int
) -> None:
    checkpoints = CheckpointLog(tmp_path / "checkpoints.log")
    _record(audit_engine, 7)
    seal_all(audit_engine, KEYS, checkpoints)
    assert verify_log(audit_engine, KEYS, checkpoints).intact
    with audit_engine.begin() as connection:
        _cut_tail_and_rewrite_head(connection, keep)
    inside = verify_log(audit_engine, KEYS)  # the database alone cannot tell
    assert inside.intact and inside.checked == keep
    verdict = verify_log(audit_engine, KEYS, checkpoints)
    assert not verdict.intact and verdict.first_bad == first_bad, verdict
    assert "checkpoint" in verdict.reason and "7 regels" in verdict.reason
    seal_all(audit_engine, KEYS, checkpoints)  # sealing more does not launder the cut
    _record(audit_engine, 5, "later")
    seal_all(audit_engine, KEYS, checkpoints)
    again = verify_log(audit_engine, KEYS, checkpoints)
    assert not again.intact, again


def test_a_checkpoint_not_signed_by_this_installation_is_reported(audit_engine: Engine, tmp_path: Path) -> None:
    checkpoints = CheckpointLog(tmp_path / "checkpoints.log")
    _record(audit_engine, 2)
    seal_all(audit_engine, KEYS, checkpoints)
    forged = sign(keys_from_secret("someone-else").checkpoint, 50, "ab" * 32)
    with checkpoints.path.open("a", encoding="utf-8") as handle:
        handle.write(forged.line() + "\n")
        handle.write("geen checkpoint\n")
    verdict = verify_log(audit_engine, KEYS, checkpoints)
    assert verdict.first_bad is None and verdict.checked == 2  # the forged head of 50 is not believed
    assert not verdict.intact and len(verdict.problems) == 2, verdict.problems
    assert not signature_holds(forged, public_key_hex(KEYS.checkpoint))


def test_the_appender_seals_in_the_background_and_signs_each_batch(audit_engine: Engine, tmp_path: Path) -> None:
    checkpoints = CheckpointLog(tmp_path / "checkpoints.log")
    with Appender(audit_engine, KEYS, checkpoints, interval=0.05):
        _record(audit_engine, 3)
        deadline = time.monotonic() + 15
        while _head(audit_engine)[0] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _head(audit_engine)[0] == 3
        _record(audit_engine, 2, "bij-het-stoppen")
    assert _head(audit_engine)[0] == 5  # stopping seals what was still pending
    checkpoint, problems = latest_checkpoint(checkpoints, KEYS)
    assert checkpoint is not None and checkpoint.size == 5 and not problems
    verdict = verify_log(audit_engine, KEYS, checkpoints)
    assert verdict.intact and verdict.checked == 5 and verdict.pending == 0, verdict


def test_two_sealers_never_fork_the_chain(audit_engine: Engine, tmp_path: Path) -> None:
    checkpoints = CheckpointLog(tmp_path / "checkpoints.log")
    errors: list[BaseException] = []
    stop = threading.Event()

    def sealer() -> None:
        try:
            while not stop.is_set():
                seal_pending(audit_engine, KEYS, checkpoints, limit=3)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=sealer) for _ in range(2)]
    for thread in threads:
        thread.start()
    _record(audit_engine, 12)
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors
    seal_all(audit_engine, KEYS, checkpoints)
    verdict = verify_log(audit_engine, KEYS, checkpoints)
    assert verdict.intact and verdict.checked == 12, verdict
    sizes = [c.size for c in checkpoints.read()[0]]
    assert sizes == sorted(sizes) and sizes[-1] == 12


def test_a_witness_receives_every_checkpoint(audit_engine: Engine, tmp_path: Path) -> None:
    received: list[str] = []

    class Witness(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Witness)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/checkpoints"
        checkpoints = CheckpointLog(tmp_path / "checkpoints.log", witness_url=url)
        _record(audit_engine, 2)
        seal_all(audit_engine, KEYS, checkpoints)
        _record(audit_engine, 1)
        seal_all(audit_engine, KEYS, checkpoints)
    finally:
        server.shutdown()
        server.server_close()
    heads = [parse_line(line) for line in received]
    assert [c.size for c in heads] == [2, 3]
    assert all(signature_holds(c, public_key_hex(KEYS.checkpoint)) for c in heads)


def test_cli_seal_prove_and_verify_against_the_checkpoint(
    tmp_path: Path, cli_database: Callable[[str], Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    from plein.cli import app

    engine = cli_database("seal-test")
    _record(engine, 5)
    with pytest.raises(SystemExit) as exit_code:
        app(["audit", "prove", "3"])
    assert exit_code.value.code == 1 and "dekt regel 3" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_code:
        app(["audit", "seal"])
    assert exit_code.value.code in (0, None) and "5 regels verzegeld" in capsys.readouterr().out
    assert (tmp_path / "var" / "audit" / "checkpoints.log").exists()
    with pytest.raises(SystemExit) as exit_code:
        app(["audit", "prove", "3"])
    out = capsys.readouterr().out
    assert exit_code.value.code in (0, None) and "Bewezen: regel 3" in out, out
    with pytest.raises(SystemExit) as exit_code:
        app(["audit", "verify"])
    out = capsys.readouterr().out
    assert exit_code.value.code in (0, None) and "intact: 5 regels" in out and "checkpoint" in out
    with engine.begin() as connection:
        _cut_tail_and_rewrite_head(connection, 3)
    with pytest.raises(SystemExit) as exit_code:
        app(["audit", "verify"])
    out = capsys.readouterr().out
    assert exit_code.value.code == 1 and "NIET intact" in out and "Eerste foute regel: 4" in out, out


def test_a_chain_sealed_before_the_tree_existed_keeps_verifying_and_grows_its_tree(
    audit_engine: Engine, tmp_path: Path
) -> None:
    """After migration 0018 an existing chain has a head without tree: it verifies as before, and the
    first seal builds the tree over all its entries."""
    _record(audit_engine, 5)
    seal_all(audit_engine, KEYS, None)
    with audit_engine.begin() as connection:
        connection.execute(text("UPDATE audit_chain_head SET frontier = NULL, root_hash = NULL"))
    assert verify_log(audit_engine, KEYS).intact
    checkpoints = CheckpointLog(tmp_path / "checkpoints.log")
    _record(audit_engine, 2, "na-de-upgrade")
    assert seal_all(audit_engine, KEYS, checkpoints).sequenced == [6, 7]
    with audit_engine.connect() as connection:
        leaves = [leaf_hash(h) for h in connection.scalars(select(AuditEntry.hash).order_by(AuditEntry.seq))]
    size, _last, root = _head(audit_engine)
    assert size == 7 and root == tree_root(leaves).hex()
    verdict = verify_log(audit_engine, KEYS, checkpoints)
    assert verdict.intact and verdict.checked == 7 and verdict.root == root, verdict

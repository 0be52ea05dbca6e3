"""Tamper tests: changing, deleting, inserting or reordering any single audit row is detected and named."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.orm import Session

from plein.audit.actions import AuditAction
from plein.audit.chain import ActorInfo, seal, verify
from plein.audit.events import record_event
from plein.audit.keys import keys_from_secret
from plein.audit.models import AuditEntry
from plein.audit.trace import TraceContext
from plein.store.engine import create_engine_for
from plein.store.migrate import upgrade
from tests.databases import BACKENDS, fresh_database

KEYS = keys_from_secret("tamper-test")
N = 8
COLUMNS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "started_at",
    "ended_at",
    "status",
    "rule",
    "processing_activity",
    "collaboration_id",
    "legal_basis",
    "actor_id",
    "object_type",
    "object_id",
    "details",
    "prev_hash",
    "hash",
)


@pytest.fixture(scope="module", params=BACKENDS)
def chain_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One database per backend holding a chain of N entries by two actors; tamper tests roll back."""
    with fresh_database(request.param, tmp_path_factory.mktemp("chain")) as url:
        engine = create_engine_for(url)
        upgrade(engine)
        trace = TraceContext.new()
        actors = [ActorInfo(1, "a.analist", "ODA", "analist"), ActorInfo(2, "b.analist", "ODB", "analist")]
        with Session(engine) as session:
            for i in range(N):
                record_event(
                    session,
                    KEYS,
                    actor=actors[i % 2],
                    name=AuditAction.RECORD_READ,
                    processing_activity="toezicht",
                    trace=trace,
                    subjects=[("kvk", f"{12345670 + i}")],
                    details={"i": i},
                )
            session.commit()
        with engine.begin() as connection:
            assert seal(connection, KEYS).sequenced == list(range(1, N + 1))
        yield engine
        engine.dispose()


def _row(conn: Connection, seq: int) -> dict[str, object]:
    table = AuditEntry.__table__
    row = conn.execute(select(*[table.c[c] for c in COLUMNS]).where(table.c.seq == seq)).one()
    return dict(row._mapping)


def _put(conn: Connection, seq: int, values: dict[str, object]) -> None:
    table = AuditEntry.__table__
    conn.execute(update(table).where(table.c.seq == seq).values(**values))


def _copy_row(conn: Connection, source: int, target: int) -> None:
    _put(conn, target, _row(conn, source))


def _swap(conn: Connection) -> None:
    third, fourth = _row(conn, 3), _row(conn, 4)
    _put(conn, 3, fourth)
    _put(conn, 4, third)


def _insert_after_last(conn: Connection) -> None:
    conn.execute(
        text(
            f"INSERT INTO audit_entry (seq, {', '.join(COLUMNS)}) SELECT {N + 1}, {', '.join(COLUMNS)} "
            f"FROM audit_entry WHERE seq = {N}"
        )
    )


def _insert_in_middle(conn: Connection) -> None:
    """Renumber 5..N up by one (subjects first, for the foreign key) and put a forged row at 5."""
    conn.execute(text("DELETE FROM audit_subject WHERE entry_seq >= 5"))
    for seq in range(N, 4, -1):
        conn.execute(
            text(
                f"INSERT INTO audit_entry (seq, {', '.join(COLUMNS)}) SELECT {seq + 1}, "
                f"{', '.join(COLUMNS)} FROM audit_entry WHERE seq = {seq}"
            )
        )
        conn.execute(text(f"DELETE FROM audit_entry WHERE seq = {seq}"))
    conn.execute(
        text(
            f"INSERT INTO audit_entry (seq, {', '.join(COLUMNS)}) SELECT 5, {', '.join(COLUMNS)} "
            "FROM audit_entry WHERE seq = 4"
        )
    )
    conn.execute(text(f"UPDATE audit_chain_head SET last_seq = {N + 1}"))


TAMPERS: dict[str, tuple[Callable[[Connection], object], int]] = {
    "change name": (lambda c: c.execute(text("UPDATE audit_entry SET name = 'niets' WHERE seq = 4")), 4),
    "change status": (lambda c: c.execute(text("UPDATE audit_entry SET status = 'geweigerd' WHERE seq = 1")), 1),
    "change time": (
        lambda c: c.execute(text("UPDATE audit_entry SET started_at = '2020-01-01 00:00:00' WHERE seq = 6")),
        6,
    ),
    "change hash too": (
        lambda c: c.execute(text("UPDATE audit_entry SET name = 'x', hash = prev_hash WHERE seq = 5")),
        5,
    ),
    "change subject": (lambda c: c.execute(text("UPDATE audit_subject SET pseudonym = 'ff' WHERE entry_seq = 7")), 7),
    "delete subject": (lambda c: c.execute(text("DELETE FROM audit_subject WHERE entry_seq = 2")), 2),
    "change actor": (
        lambda c: c.execute(text("UPDATE audit_actor SET username = 'niemand' WHERE username = 'b.analist'")),
        2,
    ),
    "delete middle": (
        lambda c: (
            c.execute(text("DELETE FROM audit_subject WHERE entry_seq = 3")),
            c.execute(text("DELETE FROM audit_entry WHERE seq = 3")),
        ),
        3,
    ),
    "delete first": (
        lambda c: (
            c.execute(text("DELETE FROM audit_subject WHERE entry_seq = 1")),
            c.execute(text("DELETE FROM audit_entry WHERE seq = 1")),
        ),
        1,
    ),
    "delete last": (
        lambda c: (
            c.execute(text(f"DELETE FROM audit_subject WHERE entry_seq = {N}")),
            c.execute(text(f"DELETE FROM audit_entry WHERE seq = {N}")),
        ),
        N,
    ),
    "insert after last": (_insert_after_last, N + 1),
    "insert in middle": (_insert_in_middle, 5),
    "replace with copy": (lambda c: _copy_row(c, 2, 6), 6),
    "reorder two rows": (_swap, 3),
    "reset head": (lambda c: c.execute(text("UPDATE audit_chain_head SET last_seq = 0")), 1),
    "subject beyond the chain": (
        lambda c: c.execute(
            text(
                "INSERT INTO audit_subject (entry_seq, position, kind, pseudonym) "
                f"VALUES ({N + 3}, 0, 'kvk', '{'ab' * 32}')"
            )
        ),
        N + 3,
    ),
    "subject before the chain": (
        lambda c: c.execute(
            text(
                f"INSERT INTO audit_subject (entry_seq, position, kind, pseudonym) VALUES (0, 0, 'kvk', '{'ab' * 32}')"
            )
        ),
        0,
    ),
    "subject added to an entry": (
        lambda c: c.execute(
            text(
                f"INSERT INTO audit_subject (entry_seq, position, kind, pseudonym) VALUES (4, 99, 'kvk', '{'ab' * 32}')"
            )
        ),
        4,
    ),
}


def test_untouched_chain_is_intact(chain_engine: Engine) -> None:
    with chain_engine.connect() as conn:
        verdict = verify(conn, KEYS)
    assert verdict.intact and verdict.checked == N


def test_chain_made_with_another_key_is_not_accepted(chain_engine: Engine) -> None:
    with chain_engine.connect() as conn:
        verdict = verify(conn, keys_from_secret("another-secret"))
    assert verdict.first_bad == 1


@pytest.mark.parametrize("kind", sorted(TAMPERS))
def test_tampering_is_detected_and_named(chain_engine: Engine, kind: str) -> None:
    tamper, first_bad = TAMPERS[kind]
    with chain_engine.connect() as conn:
        transaction = conn.begin()
        try:
            tamper(conn)
            verdict = verify(conn, KEYS)
        finally:
            transaction.rollback()
    assert not verdict.intact, kind
    assert verdict.first_bad == first_bad, (kind, verdict)
    assert verdict.reason


def test_cli_verify_names_the_first_bad_entry(
    cli_database: Callable[[str], Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    from plein.cli import app

    engine = cli_database("cli-secret")
    with Session(engine) as session:
        for _ in range(3):
            record_event(
                session,
                keys_from_secret("cli-secret"),
                actor=ActorInfo(1, "x", "ODA", "analist"),
                name=AuditAction.RECORD_READ,
                processing_activity="toezicht",
                subjects=[("kvk", "12345678")],
            )
        session.commit()
    with pytest.raises(SystemExit) as ok:
        app(["audit", "seal"])
    assert ok.value.code in (0, None)
    assert "3 regels verzegeld" in capsys.readouterr().out
    with pytest.raises(SystemExit) as ok:
        app(["audit", "verify"])
    assert ok.value.code in (0, None)
    assert "intact: 3 regels" in capsys.readouterr().out
    with pytest.raises(SystemExit) as ok:
        app(["audit", "subject", "12345678"])
    assert "Verwerkingen voor kvk 12345678" in capsys.readouterr().out
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET object_id = 'x' WHERE seq = 2"))
    with pytest.raises(SystemExit) as broken:
        app(["audit", "verify"])
    assert broken.value.code == 1
    out = capsys.readouterr().out
    assert "NIET intact" in out and "Eerste foute regel: 2" in out


def test_concurrent_appenders_keep_one_unbroken_chain(engine: Engine) -> None:
    """Requests committing at the same time, while a sealer seals, end in one unbroken chain."""
    import threading

    from plein.audit.appender import seal_all, seal_pending

    errors: list[BaseException] = []
    done = threading.Event()

    def sealer() -> None:
        try:
            while not done.is_set():
                seal_pending(engine, KEYS, None)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def worker(n: int) -> None:
        try:
            for _ in range(8):
                with Session(engine) as session:
                    record_event(
                        session,
                        KEYS,
                        actor=ActorInfo(n, f"user{n}", "ODA", "analist"),
                        name=AuditAction.RECORD_READ,
                        processing_activity="toezicht",
                        subjects=[("kvk", "12345678")],
                    )
                    session.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    sealing = threading.Thread(target=sealer)
    sealing.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    sealing.join()
    assert not errors
    seal_all(engine, KEYS, None)
    with engine.connect() as conn:
        verdict = verify(conn, KEYS)
    assert verdict.intact and verdict.checked == 32

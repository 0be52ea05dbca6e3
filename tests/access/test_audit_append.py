"""Appending to the audit chain: several entries and many subjects at once, and remembered actor ids
that never outlive a rolled-back transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from plein.audit.chain import ActorInfo, NewEntry, append, seal, verify
from plein.audit.keys import keys_from_secret
from plein.audit.models import AuditActor, AuditEntry, AuditSubject
from plein.audit.trace import TraceContext
from plein.store.migrate import upgrade

KEYS = keys_from_secret("append-test")


def _entry(actor: ActorInfo, name: str, subjects: list[tuple[str, str]], details: dict[str, object]) -> NewEntry:
    trace = TraceContext.new()
    now = dt.datetime.now(dt.UTC)
    return NewEntry(
        trace_id=trace.trace_id,
        span_id=trace.span_id,
        parent_span_id=None,
        name=name,
        started_at=now,
        ended_at=now,
        status="ok",
        processing_activity="toezicht",
        actor=actor,
        details=details,
        subjects=subjects,
    )


def test_batch_of_entries_with_many_subjects_verifies(audit_engine: Engine) -> None:
    first, second = ActorInfo(1, "a.analist", "ODA", "analist"), ActorInfo(2, "b.inspecteur", "ODB", "inspecteur")
    subjects = [("vestiging", f"{n:064x}") for n in range(150)]
    details = {"stappen": ["lijst", "detail"], "tekst": "'s-Hertogenbosch — café", "aantal": 3, "leeg": None}
    entries = [
        _entry(first, "registratie.lijst", subjects, details),
        _entry(second, "registratie.lezen", [("kvk", "a" * 64)], {}),
        _entry(first, "export.csv", [], {"rijen": 0}),
    ]
    with audit_engine.begin() as connection:
        append(connection, KEYS, entries)
    with audit_engine.begin() as connection:
        assert seal(connection, KEYS).sequenced == [1, 2, 3]
    with audit_engine.begin() as connection:
        append(connection, KEYS, [_entry(second, "registratie.lezen", [], {})])
        assert seal(connection, KEYS).sequenced == [4]
    with audit_engine.connect() as connection:
        verdict = verify(connection, KEYS)
        assert verdict.intact and verdict.checked == 4, verdict
        assert connection.scalar(select(func.count()).select_from(AuditSubject)) == 151
        assert connection.scalar(select(func.count()).select_from(AuditActor)) == 2
        stored = connection.scalar(select(AuditEntry.details).where(AuditEntry.seq == 1))
        assert stored == details


def test_actor_inserted_by_a_rolled_back_transaction_is_not_remembered(audit_engine: Engine) -> None:
    actor = ActorInfo(7, "c.analist", "ODC", "analist")
    with audit_engine.connect() as connection:  # one database connection for all three transactions
        transaction = connection.begin()
        append(connection, KEYS, [_entry(actor, "eerste", [], {})])
        append(connection, KEYS, [_entry(actor, "tweede", [], {})])  # same transaction: reuses the new row
        transaction.rollback()
        assert connection.scalar(select(func.count()).select_from(AuditActor)) == 0
        connection.rollback()
        with connection.begin():
            append(connection, KEYS, [_entry(actor, "derde", [], {})])
            assert seal(connection, KEYS).sequenced == [1]
        with connection.begin():
            append(connection, KEYS, [_entry(actor, "vierde", [], {})])
            assert seal(connection, KEYS).sequenced == [2]
        assert connection.scalar(select(func.count()).select_from(AuditActor)) == 1
        verdict = verify(connection, KEYS)
        assert verdict.intact and verdict.checked == 2, verdict


def test_postgresql_append_writes_every_column() -> None:
    from plein.audit.chain import _ENTRY_COLUMNS, _SUBJECT_COLUMNS

    assert set(_ENTRY_COLUMNS) == set(AuditEntry.__table__.columns.keys())
    assert set(_SUBJECT_COLUMNS) == set(AuditSubject.__table__.columns.keys())


def test_subject_table_migration_keeps_each_entrys_subjects_and_the_chain(audit_engine: Engine) -> None:
    """Down to the old ``audit_subject`` (surrogate id, foreign key) and up again: rows, their order
    within each entry (a subject named twice included) and the chain survive both ways."""
    from alembic import command

    from plein.store.migrate import alembic_config

    actor = ActorInfo(1, "a.analist", "ODA", "analist")
    named = [("kvk", "b" * 64), ("vestiging", "c" * 64), ("kvk", "b" * 64), ("persoon", "d" * 64)]
    with audit_engine.begin() as connection:
        append(connection, KEYS, [_entry(actor, "lezen", named, {}), _entry(actor, "tellen", named[:1], {})])
        assert seal(connection, KEYS).sequenced == [1, 2]

    def stored() -> list[tuple[int, str, str]]:
        with audit_engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT entry_seq, kind, pseudonym FROM audit_subject").all()
        return sorted((int(seq), kind, alias) for seq, kind, alias in rows)

    before = stored()
    config = alembic_config()
    with audit_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009_audit_subject_lean@-1")
    assert stored() == before
    upgrade(audit_engine)
    assert stored() == before
    with audit_engine.connect() as connection:
        positions = connection.exec_driver_sql(
            "SELECT position, pseudonym FROM audit_subject WHERE entry_seq = 1 ORDER BY position"
        ).all()
        assert [alias for _position, alias in positions] == [alias for _kind, alias in named]
        assert verify(connection, KEYS).intact

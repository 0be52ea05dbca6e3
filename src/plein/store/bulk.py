"""Fast bulk writing: COPY on PostgreSQL, the driver's own executemany on SQLite.

The ORM would spend most of its time building objects for the rows of an import, a resolution run
or the demo world. ``write_rows`` is the one writer; ``bulk_insert`` feeds it dict rows on an open
SQLAlchemy connection (its transaction), ``BulkWriter`` tuples of plain values (str, int, float,
None; dates as ISO strings) over a raw connection of its own, table by table in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Index, Table, insert


def write_rows(cursor: Any, dialect: str, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Append ``rows`` (value sequences in ``columns`` order) to ``table`` with a DBAPI cursor."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    if dialect == "postgresql":
        count = 0
        with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in columns)
    batch = rows if isinstance(rows, list) else list(rows)
    cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', batch)  # noqa: S608 - names from metadata
    return len(batch)


def _copy_value(value: Any) -> Any:
    """JSON columns travel through COPY as JSON text."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _sqlite_datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


_SQLITE_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    dt.datetime: _sqlite_datetime,
    dt.date: dt.date.isoformat,
    dict: lambda value: json.dumps(value, ensure_ascii=False),
    list: lambda value: json.dumps(value, ensure_ascii=False),
}


def _sqlite_rows(rows: list[dict[str, Any]], columns: list[str]) -> list[tuple[Any, ...]]:
    """What SQLAlchemy's SQLite types would store: naive UTC timestamps, ISO dates, JSON text."""
    converters = _SQLITE_CONVERTERS
    cache: dict[int, Any] = {}  # one chunk shares its timestamp object; convert it once
    out = []
    for row in rows:
        values = []
        for column in columns:
            value = row[column]
            convert = converters.get(type(value))
            if convert is not None:
                key = id(value)
                if key not in cache:
                    cache[key] = (value, convert(value))
                value = cache[key][1]
            values.append(value)
        out.append(tuple(values))
    return out


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows fast in the connection's transaction: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        connection.execute(insert(table), rows)
        return
    raw: Any = connection.connection.driver_connection
    cursor = raw.cursor()
    try:
        if dialect == "sqlite":  # the DBAPI's own executemany: no per-row SQLAlchemy overhead
            write_rows(cursor, dialect, table.name, columns, _sqlite_rows(rows, columns))
        else:
            write_rows(cursor, dialect, table.name, columns, ([_copy_value(row[c]) for c in columns] for row in rows))
    finally:
        cursor.close()


class BulkWriter:
    """Writes rows table by table inside one transaction; ``finish`` commits and fixes sequences."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.connection: Any = engine.raw_connection()
        self.rows_written = 0
        self._tables_with_ids: set[str] = set()
        if self.dialect == "sqlite":
            cursor = self.connection.cursor()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-524288")  # 512 MiB of page cache for this connection
            cursor.close()

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Append ``rows`` to ``table``; returns how many were written."""
        cursor = self.connection.cursor()
        count = write_rows(cursor, self.dialect, table, columns, rows)
        cursor.close()
        if "id" in columns:
            self._tables_with_ids.add(table)
        self.rows_written += count
        return count

    def finish(self) -> None:
        """Commit, and on PostgreSQL move each id sequence past the ids written explicitly."""
        if self.dialect == "postgresql":
            cursor = self.connection.cursor()
            for table in sorted(self._tables_with_ids):
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
                sequence = cursor.fetchone()[0]
                if sequence:
                    cursor.execute(
                        f"SELECT setval(%s, COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",  # noqa: S608
                        (sequence,),
                    )
            cursor.close()
        self.connection.commit()
        if self.dialect == "sqlite":
            cursor = self.connection.cursor()
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
        self.connection.close()

    def abort(self) -> None:
        """Roll back everything written."""
        self.connection.rollback()
        self.connection.close()


@contextmanager
def deferred_indexes(engine: Engine, tables: Iterable[Table]) -> Iterator[None]:
    """Drop the secondary (non-unique) indexes of empty tables and build them again afterwards.

    Building an index once over loaded rows is far cheaper than keeping it up to date row by row,
    the usual way to bulk-load a database. Unique constraints stay, so duplicates still fail.
    """
    indexes: list[Index] = [index for table in tables for index in table.indexes if not index.unique]
    with engine.begin() as connection:
        for index in indexes:
            index.drop(connection, checkfirst=True)
    try:
        yield
    finally:
        with engine.begin() as connection:
            for index in indexes:
                index.create(connection, checkfirst=True)

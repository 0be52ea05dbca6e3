"""Fast bulk writing of generated rows: executemany on SQLite, COPY on PostgreSQL.

The demo world is millions of rows; the ORM would spend most of its time building objects.
Rows arrive as tuples of plain values (str, int, float, None; dates as ISO strings) so both
paths can take them unconverted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Index, Table


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
        column_list = ", ".join(columns)
        cursor = self.connection.cursor()
        count = 0
        if self.dialect == "postgresql":
            with cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join("?" for _ in columns)
            batch = rows if isinstance(rows, list) else list(rows)
            cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", batch)  # noqa: S608
            count = len(batch)
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

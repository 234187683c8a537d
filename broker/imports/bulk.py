"""Inserting a chunk of imported records in one statement that skips the ones stored before.

Records arrive with their canonical record and source row as JSON text (`json_text`), made where
the rows were mapped — possibly in another process — so the insert binds text instead of
serialising two documents per row while it holds the database's write lock.

A record already stored (same 団体コード, 宛名番号 and row digest: the unique key of
``imported_records``) is skipped by the database itself (``ON CONFLICT … DO NOTHING`` on that
key), so a chunk costs one statement instead of a lookup per few hundred rows and then an insert;
a row repeated inside a chunk is likewise stored once, at its first occurrence. Only that key's
conflicts are skipped: any other constraint still fails the chunk.

On SQLite the statement is written once and run as the driver's own ``executemany`` over plain
tuples: SQLAlchemy's executemany would only rebuild a parameter dict per row and pass each value
through a processor with nothing to do (no per-row column has one; `created_at`, the same for the
whole chunk, is processed once). On PostgreSQL it is Core executemany with RETURNING, which
SQLAlchemy sends as multi-row VALUES batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Table, UniqueConstraint, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from broker.imports.models import ImportedRecord
from broker.jsontext import json_bound

_RECORDS = cast(Table, ImportedRecord.__table__)
_KEY = next(c for c in _RECORDS.constraints if isinstance(c, UniqueConstraint) and c.name == "uq_imported_records_key")
#: per-record columns, in the order of `NewRecord`'s fields
_PER_ROW = ("lg_code", "atena_no", "row_sha256", "row_no", "canonical", "source_row", "lineage_sha256")
#: columns with one value for the whole chunk
_PER_CHUNK = ("batch_id", "file_sha256", "mapping_id", "mapping_version", "created_at")
_SERIALISED = ("canonical", "source_row")


class RecordInsert:
    """The INSERT of imported records for one engine's dialect, prepared once."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        if dialect.name == "sqlite":
            for name in _PER_ROW:
                if name not in _SERIALISED and _RECORDS.c[name].type._cached_bind_processor(dialect):
                    raise TypeError(f"imported_records.{name} would need a bind processor per row")
            quote = dialect.identifier_preparer
            names = _PER_CHUNK + _PER_ROW
            # the columns in the order the values are at hand: the chunk's, then the record's
            self._driver_sql = (
                f"INSERT INTO {quote.format_table(_RECORDS)} "
                f"({', '.join(quote.format_column(_RECORDS.c[name]) for name in names)}) "
                f"VALUES ({', '.join('?' for _ in names)}) "
                f"ON CONFLICT ({', '.join(quote.format_column(column) for column in _KEY.columns)}) DO NOTHING"
            )
        elif dialect.name == "postgresql":
            def bound(name: str) -> ColumnElement[Any]:
                if name in _SERIALISED:  # the text is JSON already
                    return json_bound(name, dialect.name)
                return bindparam(name, type_=_RECORDS.c[name].type)

            self._statement = (postgresql.insert(_RECORDS)
                               .values({name: bound(name) for name in _PER_CHUNK + _PER_ROW})
                               .on_conflict_do_nothing(constraint=_KEY)
                               .returning(_RECORDS.c.id))
        else:
            raise TypeError(f"imports are stored in SQLite or PostgreSQL, not {dialect.name}")

    def execute(self, connection: Connection, records: Sequence[tuple[Any, ...]], *, batch_id: int,
                file_sha256: str, mapping: tuple[str, str], created_at: datetime) -> int:
        """Insert `records` (tuples in `NewRecord`'s field order) and return how many were new."""
        if not records:
            return 0
        shared = {"batch_id": batch_id, "file_sha256": file_sha256, "mapping_id": mapping[0],
                  "mapping_version": mapping[1], "created_at": created_at}
        if self._dialect.name != "sqlite":
            rows = [{**shared, **dict(zip(_PER_ROW, record, strict=True))} for record in records]
            return len(connection.execute(self._statement, rows).all())
        head = []
        for name in _PER_CHUNK:
            process = _RECORDS.c[name].type._cached_bind_processor(self._dialect)
            head.append(process(shared[name]) if process else shared[name])
        values = tuple(head)
        result = connection.exec_driver_sql(self._driver_sql, [values + tuple(record) for record in records])
        return int(result.rowcount)


__all__ = ["RecordInsert"]

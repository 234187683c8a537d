"""Rows whose composite key is one of a group's keys: one statement, built once, that uses the index.

SQLAlchemy writes ``(a, b) IN (...)`` on SQLite as ``(a, b) IN (VALUES (?, ?), …)``, and SQLite
answers that form by scanning the whole table (EXPLAIN QUERY PLAN says SCAN): for the accept
writer, a scan of ``messages``, ``wss_nonces`` and the projection per group, longer with every
message stored. Asked as ``(a, b) IN (SELECT … FROM json_each(?))`` SQLite searches the key's index
instead, and the keys travel as one JSON text, so nothing is expanded per execution. PostgreSQL
plans the expanded row list (``(a, b) IN ((…), (…))``) as index lookups, so it keeps that form.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult, Select, String, bindparam, func, literal_column, select, tuple_
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class KeyedSelect:
    """The same SELECT twice: for SQLite (keys as JSON) and for PostgreSQL (keys as an expanded list)."""

    sqlite: Select[*tuple[Any, ...]]
    other: Select[*tuple[Any, ...]]

    def run(self, conn: Connection, keys: Collection[tuple[Any, ...]]) -> CursorResult[*tuple[Any, ...]]:
        if conn.dialect.name == "sqlite":
            return conn.execute(self.sqlite, {"keys": json.dumps(list(keys))})
        return conn.execute(self.other, {"keys": list(keys)})


def keyed(build: Callable[[ColumnElement[bool]], Select[*tuple[Any, ...]]],
          *key: ColumnElement[Any]) -> KeyedSelect:
    """``build(condition)`` once per form, where condition says "the key is one of ``keys``"."""
    listed = func.json_each(bindparam("keys", type_=String())).table_valued("value")
    from_json = select(*(func.json_extract(listed.c.value, literal_column(f"'$[{i}]'")) for i in range(len(key))))
    return KeyedSelect(build(tuple_(*key).in_(from_json)), build(tuple_(*key).in_(bindparam("keys", expanding=True))))

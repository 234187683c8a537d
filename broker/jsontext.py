"""JSON columns written from text made beforehand, by orjson rather than the column type.

The JSON column type serialises each value with the standard library while the statement is
prepared; for the accept writer that is every message's envelope and canonical body and the group's
audit detail, all on the one writer thread. orjson makes the same JSON several times faster, and
the text reads back through the column type as the same value. A statement binds such text with
`json_bound`: plain text on SQLite (which stores JSON as text), cast to JSON on PostgreSQL;
`insert_json_as_text` makes such an INSERT for any table, `rows_with_json_text` its rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

import orjson
from sqlalchemy import JSON, Insert, Table, Text, bindparam, cast, insert
from sqlalchemy.sql.elements import ColumnElement


def json_text(value: Any) -> str:
    """The text a JSON column stores for `value`: UTF-8 JSON, compact; reads back as the same value.

    orjson does it several times faster than the standard library; what it refuses (an integer
    beyond 64 bits, a non-text key) falls back to `json.dumps`, which is what the column type uses.
    A non-finite float, which JSON cannot spell, is written as null (the standard library would
    write ``NaN``, which PostgreSQL refuses).
    """
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


def json_bound(name: str, dialect: str) -> ColumnElement[Any]:
    """A bind parameter ``name`` for a JSON column, whose value is `json_text` already."""
    text = bindparam(name, type_=Text())
    return text if dialect == "sqlite" else cast(text, JSON)


def json_columns(table: Table) -> tuple[str, ...]:
    return tuple(column.key for column in table.columns if isinstance(column.type, JSON))


@cache
def insert_json_as_text(table: Table, dialect: str) -> Insert:
    """The INSERT of ``table`` (made once per table) whose JSON columns take `json_text`, each bound
    as ``<column>_json``: rows as `rows_with_json_text` makes them."""
    return insert(table).values({name: json_bound(f"{name}_json", dialect) for name in json_columns(table)})


def rows_with_json_text(table: Table, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with each JSON column's value as `json_text` under ``<column>_json``."""
    names = json_columns(table)
    return [{**{k: v for k, v in row.items() if k not in names}, **{f"{n}_json": json_text(row[n]) for n in names}}
            for row in rows]

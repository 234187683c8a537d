"""The NGSI-v2 Simple Query Language (``q=``) for what the hub's entities need, as Orion reads it.

Statements are joined with ``;`` (AND). Each is ``attr`` (exists), ``!attr`` (does not exist), or
``attr<op>value`` with ``==``, ``!=``, ``>``, ``>=``, ``<``, ``<=``; for ``==`` and ``!=`` the value
may be a list ``a,b,c`` or a range ``lo..hi``. Values are numbers, ISO 8601 date-times (compared as
instants) or strings (optionally in single quotes). A malformed ``q`` is a ``BadRequest``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

STATEMENT = re.compile(r"^(?P<attr>[A-Za-z0-9_.]+)\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<value>.+)$")
ATTR = re.compile(r"^!?[A-Za-z0-9_.]+$")


class QueryInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Statement:
    attr: str
    op: str  # exists | absent | == | != | > | >= | < | <=
    values: tuple[Any, ...] = ()
    is_range: bool = False


def _scalar(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    try:
        return float(text)
    except ValueError:
        pass
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
    return text


def parse(q: str) -> list[Statement]:
    out = []
    for raw in filter(None, (part.strip() for part in q.split(";"))):
        m = STATEMENT.match(raw)
        if m is None:
            if not ATTR.match(raw):
                raise QueryInvalid(f"invalid query expression: {raw!r}")
            out.append(Statement(raw.lstrip("!"), "absent" if raw.startswith("!") else "exists"))
            continue
        attr, op, value = m.group("attr"), m.group("op"), m.group("value").strip()
        if not value or value[0] in "<>=!":
            raise QueryInvalid(f"invalid value in query expression: {raw!r}")
        if op in ("==", "!=") and ".." in value and not value.startswith("'"):
            lo, _, hi = value.partition("..")
            out.append(Statement(attr, op, (_scalar(lo), _scalar(hi)), is_range=True))
        elif op in ("==", "!=") and "," in value and not value.startswith("'"):
            out.append(Statement(attr, op, tuple(_scalar(v) for v in value.split(","))))
        else:
            out.append(Statement(attr, op, (_scalar(value),)))
    return out


def _value_of(entity: dict[str, Any], path: str) -> tuple[bool, Any]:
    head, _, rest = path.partition(".")
    if head in ("id", "type"):
        return True, entity[head]
    if head not in entity:
        return False, None
    node: Any = entity[head]["value"]
    for key in filter(None, rest.split(".")):
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    return True, node


def _comparable(actual: Any, wanted: Any) -> tuple[Any, Any] | None:
    if isinstance(wanted, float) and isinstance(actual, int | float) and not isinstance(actual, bool):
        return float(actual), wanted
    if isinstance(wanted, datetime) and isinstance(actual, str):
        try:
            return datetime.fromisoformat(actual.replace("Z", "+00:00")), wanted
        except ValueError:
            return None
    if isinstance(wanted, float | datetime):
        return None
    if isinstance(actual, bool):
        return str(actual).lower(), str(wanted)
    return (actual, str(wanted)) if isinstance(actual, str) else None


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}


def _holds(entity: dict[str, Any], st: Statement) -> bool:
    present, actual = _value_of(entity, st.attr)
    if st.op == "exists":
        return present
    if st.op == "absent":
        return not present
    if not present:
        return False
    if st.is_range:
        lo, hi = _comparable(actual, st.values[0]), _comparable(actual, st.values[1])
        inside = lo is not None and hi is not None and lo[1] <= lo[0] <= hi[1]
        return inside if st.op == "==" else not inside
    if st.op in ("==", "!="):
        equal = any((pair := _comparable(actual, v)) is not None and pair[0] == pair[1] for v in st.values)
        return equal if st.op == "==" else not equal
    pair = _comparable(actual, st.values[0])
    return pair is not None and COMPARE[st.op](pair[0], pair[1])


def matches(entity: dict[str, Any], statements: list[Statement]) -> bool:
    return all(_holds(entity, st) for st in statements)

"""Field classification and redaction: part of routing, not an afterthought.

A destination receives a field only if it is entitled to the field's class; ``specific`` fields
(個人番号) go only to systems registered for 番号利用事務. Each service declares its own table
(:class:`FieldClasses`, usually from a ``classification.yaml`` in its folder). Redaction returns a copy
and never touches the stored original.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

CLASSES = ("public", "personal", "specific")
DEFAULT_CLASS = "personal"  # a field nobody classified is treated as personal information
#: values a redacted copy may share with the original: nothing can change them
_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


class FieldClasses:
    """Dotted path prefix → class. The longest matching prefix wins; anything unlisted is personal.

    Paths are relative to the record, so a prefix matches at any depth: ``rec.x`` classifies
    ``msg.rec.x`` (a notice) and ``rec.x`` (a query answer) alike.
    """

    def __init__(self, table: Mapping[str, str], source: str = "<declared>") -> None:
        for path, cls in table.items():
            if cls not in CLASSES:
                raise ValueError(f"{source}: class {cls!r} of {path!r} is not one of {CLASSES}")
        self._table = sorted(table.items(), key=lambda kv: -len(kv[0]))
        self._cache: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldClasses) and self._table == other._table

    __hash__ = None  # type: ignore[assignment]  # mutable cache inside; compared by table only

    @classmethod
    def from_yaml(cls, path: Path) -> FieldClasses:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(raw.get("classes", {}), source=str(path))

    def class_of(self, path: str) -> str:
        known = self._cache.get(path)
        if known is not None:
            return known
        parts = path.split(".")
        found = DEFAULT_CLASS
        for prefix, cls in self._table:
            if any(_starts(".".join(parts[i:]), prefix) for i in range(len(parts))):
                found = cls
                break
        self._cache[path] = found
        return found

    def redact(self, body: dict[str, Any], allowed: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
        """Copy of ``body`` without the fields the destination may not receive, and their paths.

        The copy is made while walking (every record and list is new, text and numbers are shared as
        they cannot change), not by copying everything first and deleting afterwards: a delivery
        redacts each message once per destination."""
        removed: list[str] = []
        return self._copy(body, "", allowed, removed), removed

    def _copy(self, node: Any, path: str, allowed: frozenset[str], removed: list[str]) -> Any:
        if isinstance(node, dict):
            out: dict[Any, Any] = {}
            for key, value in node.items():
                child = f"{path}.{key}" if path else key
                if isinstance(value, list) and _holds_plain(value) and self.class_of(child) not in allowed:
                    removed.append(child)  # plain values in a list are of the list's field class
                elif isinstance(value, dict | list):
                    out[key] = self._copy(value, child, allowed, removed)
                elif self.class_of(child) in allowed:
                    out[key] = value if type(value) in _IMMUTABLE else copy.deepcopy(value)
                else:
                    removed.append(child)
            return out
        if isinstance(node, list):
            return [self._copy(item, path, allowed, removed) for item in node]
        return node if type(node) in _IMMUTABLE else copy.deepcopy(node)


def _holds_plain(items: list[Any]) -> bool:
    """Whether a list (or a list inside it) has an item that is not a record."""
    return any(_holds_plain(i) if isinstance(i, list) else not isinstance(i, dict) for i in items)


def _starts(tail: str, prefix: str) -> bool:
    return tail == prefix or tail.startswith(prefix + ".")


def entitled_classes(*, bango_riyo: bool) -> frozenset[str]:
    return frozenset(CLASSES) if bango_riyo else frozenset({"public", "personal"})

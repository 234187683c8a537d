"""Dotted field paths: ``jusho.oaza``, ``住所.住所コード[1].識別値``, or a flat CSV column name.

One syntax serves every layout so that lineage entries, field errors and diffs all name fields the
same way. A segment may end in ``[n]`` to address an item of a list (IMI properties such as 住所コード
are repeatable); lists are compacted after mapping, so ``[1]`` without ``[0]`` becomes the first item.
"""

from __future__ import annotations

import re
from typing import Any

_SEGMENT = re.compile(r"^(?P<key>[^\[\]]+)(?:\[(?P<index>\d+)\])?$")

Segment = tuple[str, int | None]


def parse(path: str) -> list[Segment]:
    """Split a path into (key, index) pairs; raise ValueError on a malformed one."""
    if not path or path.startswith(".") or path.endswith(".") or ".." in path:
        raise ValueError(f"malformed path {path!r}")
    segments: list[Segment] = []
    for part in path.split("."):
        match = _SEGMENT.match(part)
        if match is None:
            raise ValueError(f"malformed path segment {part!r} in {path!r}")
        index = match.group("index")
        segments.append((match.group("key"), int(index) if index is not None else None))
    return segments


def shape(path: str) -> str:
    """The path with list indexes removed: the name a layout's field list uses."""
    return ".".join(key for key, _ in parse(path))


def get(record: Any, path: str) -> Any:
    """Value at `path`, or None when any step is missing; empty strings count as missing.

    Legacy files pad absent values with blanks, so "" and None must mean the same thing here.
    """
    return get_parsed(record, parse(path))


def get_parsed(record: Any, segments: list[Segment] | tuple[Segment, ...]) -> Any:
    """`get` for a path parsed once in advance (the engine parses each rule's paths at load)."""
    node = record
    for key, index in segments:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
        if index is not None:
            if not isinstance(node, list) or index >= len(node):
                return None
            node = node[index]
    if node == "":
        return None
    return node


def put(target: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path`, creating the dicts and list slots on the way."""
    put_parsed(target, parse(path), value)


def put_parsed(target: dict[str, Any], segments: list[Segment] | tuple[Segment, ...], value: Any) -> None:
    """`put` for a path parsed once in advance."""
    node: Any = target
    for position, (key, index) in enumerate(segments):
        last = position == len(segments) - 1
        if index is None:
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
            continue
        items = node.setdefault(key, [])
        while len(items) <= index:
            items.append(None)
        if last:
            items[index] = value
        else:
            if items[index] is None:
                items[index] = {}
            node = items[index]


def compact(node: Any) -> Any:
    """Drop the holes that indexed paths left in lists (a missing 住所コード[0], say)."""
    if isinstance(node, dict):
        return {key: compact(value) for key, value in node.items()}
    if isinstance(node, list):
        return [compact(item) for item in node if item is not None]
    return node


def leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a nested value into {path: scalar}; used by the diff and by lineage checks."""
    flat: dict[str, Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            flat.update(leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            flat.update(leaves(item, f"{prefix}[{index}]"))
    else:
        flat[prefix] = node
    return flat


__all__ = ["compact", "get", "get_parsed", "leaves", "parse", "put", "put_parsed", "shape"]

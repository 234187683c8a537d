"""Field classification and redaction: part of routing, not an afterthought.

A destination receives a field only if it is entitled to the field's class; 個人番号 (``specific``)
goes only to systems registered for 番号利用事務. Redaction returns a copy and never touches the
stored original.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

POLICY = Path(__file__).resolve().parent / "policy" / "classification.yaml"
CLASSES = ("public", "personal", "specific")


@cache
def _table(service: str) -> list[tuple[str, str]]:
    raw = yaml.safe_load(POLICY.read_text(encoding="utf-8"))["classes"].get(service, {})
    for path, cls in raw.items():
        if cls not in CLASSES:
            raise ValueError(f"{POLICY}: class {cls!r} of {path!r} is not one of {CLASSES}")
    return sorted(raw.items(), key=lambda kv: -len(kv[0]))


def class_of(service: str, path: str) -> str:
    """Class of a field. Policy paths are relative to the record, so ``ido.jumin.x`` and ``jumin.x``
    (a 照会 answer) are the same field."""
    parts = path.split(".")
    for prefix, cls in _table(service):
        for start in range(len(parts)):
            tail = ".".join(parts[start:])
            if tail == prefix or tail.startswith(prefix + "."):
                return cls
    return "personal"


def entitled_classes(*, bango_riyo: bool) -> frozenset[str]:
    return frozenset(CLASSES) if bango_riyo else frozenset({"public", "personal"})


def redact(service: str, body: dict[str, Any], allowed: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
    """Copy of ``body`` without the fields the destination may not receive, and their paths."""
    removed: list[str] = []
    out = copy.deepcopy(body)

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key in list(node):
                child = f"{path}.{key}" if path else key
                if isinstance(node[key], dict | list):
                    walk(node[key], child)
                elif class_of(service, child) not in allowed:
                    del node[key]
                    removed.append(child)
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(out, "")
    return out, removed

"""Reading schemas, taken from the AsyncAPI contract (``api_specs/asyncapi.yaml``) and compiled once.

The document devices are given is the one the hub validates against: each family's message payload
schema is compiled with fastjsonschema (generated Python, fast enough for the ingest's hot path).
JSON is parsed strictly: NaN and Infinity are refused, and nesting deeper than the contract allows
is refused before it can exhaust the parser's recursion.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import fastjsonschema
import yaml

import api_specs
from broker.services.sensors.devices import FAMILIES

MAX_DEPTH = 8  # the deepest reading is 4 levels; anything far deeper is hostile


class ReadingRefused(Exception):
    """Why a reading cannot be accepted; ``reason`` is a stable word kept with the quarantined bytes."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    return dict(yaml.safe_load(api_specs.path("asyncapi.yaml").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def validators() -> dict[str, Callable[[Any], Any]]:
    doc = document()
    messages = doc["components"]["messages"]
    out: dict[str, Callable[[Any], Any]] = {}
    for message in messages.values():
        family = message["name"]
        schema = {"components": doc["components"], **message["payload"]}
        out[family] = fastjsonschema.compile(schema)
    missing = set(FAMILIES) - set(out)
    if missing:
        raise RuntimeError(f"asyncapi.yaml has no message for families {sorted(missing)}")
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse(payload: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, bounded nesting."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadingRefused("malformed", f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    if _depth_exceeds(text, MAX_DEPTH):
        raise ReadingRefused("malformed", f"nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_no_constants)
    except ValueError as exc:
        raise ReadingRefused("malformed", f"not JSON: {exc}") from exc


def _depth_exceeds(text: str, limit: int) -> bool:
    """Bracket depth outside strings, counted without recursion."""
    depth = 0
    in_string = escaped = False
    if text.count("[") + text.count("{") <= limit:
        return False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def validate(family: str, reading: Any) -> None:
    try:
        validators()[family](reading)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise ReadingRefused("schema_invalid", exc.message) from exc

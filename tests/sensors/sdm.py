"""Smart Data Models schemas from ``../shared/data/sdm-examples`` (read in place, never copied).

The model schemas ``$ref`` the common SDM schemas online (GSMA-Commons, Location-Commons,
Device-Commons); the tests run offline, so those references resolve to empty (permissive) schemas
and the checks cover each model's own properties, types, formats and required fields. Locations are
checked separately as GeoJSON [lon, lat] points.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SDM = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sdm-examples"


def _remote_refs(node: Any, found: dict[str, set[str]]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("http"):
            uri, _, fragment = ref.partition("#")
            found.setdefault(uri, set()).add(fragment)
        for value in node.values():
            _remote_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _remote_refs(value, found)


def validator(model: str) -> Draft202012Validator:
    path = SDM / model / "schema.json"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing (the shared data must sit beside the project in CI)")
        pytest.skip(f"{path} not present")
    schema = json.loads(path.read_text(encoding="utf-8"))
    remote: dict[str, set[str]] = {}
    _remote_refs(schema, remote)
    stubs = {}
    for uri, fragments in remote.items():
        doc: dict[str, Any] = {}
        for fragment in fragments:  # e.g. /definitions/GSMA-Commons → {"definitions": {"GSMA-Commons": {}}}
            node = doc
            for part in [p for p in fragment.split("/") if p]:
                node = node.setdefault(part, {})
        stubs[uri] = Resource.from_contents(doc, default_specification=DRAFT202012)
    registry: Registry = Registry().with_resources(stubs.items())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())

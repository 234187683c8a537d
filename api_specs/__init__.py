"""The contracts as data: WSDL, XSD, OpenAPI and the result-code table.

Code everywhere reads these files through `path()` so that the document a vendor sees is the one the
hub validates against. The OpenAPI document is assembled: ``openapi.yaml`` (the header, the shared
schemas and the hub's own management paths) plus one fragment per service in ``openapi/``
(``openapi_document``); the hub serves the merge of the services it runs.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent
FRAGMENTS = ROOT / "openapi"


def path(*parts: str) -> Path:
    """Absolute path of a contract file, e.g. ``path("wsdl", "jumin.wsdl")``."""
    return ROOT.joinpath(*parts)


@cache
def _load(file: Path) -> dict[str, Any]:
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{file}: not a YAML mapping")
    return data


def fragments() -> tuple[str, ...]:
    """Every service fragment shipped in ``openapi/`` (file names)."""
    return tuple(sorted(p.name for p in FRAGMENTS.glob("*.yaml")))


def openapi_document(services: Iterable[str] | None = None) -> dict[str, Any]:
    """``openapi.yaml`` with the named fragments merged in (all of them when ``services`` is None).

    A path, tag or component defined twice is an error here, at start: two services cannot claim the
    same URL or schema name by accident.
    """
    doc = copy.deepcopy(_load(path("openapi.yaml")))
    for name in fragments() if services is None else services:
        fragment = _load(FRAGMENTS / name)
        _merge_list(doc.setdefault("tags", []), fragment.get("tags", []), name)
        _merge_map(doc.setdefault("paths", {}), fragment.get("paths", {}), f"{name}: path")
        for section, entries in fragment.get("components", {}).items():
            _merge_map(doc.setdefault("components", {}).setdefault(section, {}), entries,
                       f"{name}: components.{section}")
    return doc


def _merge_map(into: dict[str, Any], extra: dict[str, Any], where: str) -> None:
    for key, value in extra.items():
        if key in into:
            raise ValueError(f"{where} {key} is defined twice")
        into[key] = copy.deepcopy(value)


def _merge_list(into: list[Any], extra: list[Any], where: str) -> None:
    names = {t.get("name") for t in into}
    for tag in extra:
        if tag.get("name") in names:
            raise ValueError(f"{where}: tag {tag.get('name')} is defined twice")
        into.append(copy.deepcopy(tag))


__all__ = ["FRAGMENTS", "ROOT", "fragments", "openapi_document", "path"]

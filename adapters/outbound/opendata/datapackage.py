"""The frictionless Data Package descriptor of one dataset version, and its validation.

Validation runs on the files as written (in a staging folder) before the version is published, so a
file that does not match its Table Schema never reaches a reader.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import frictionless

from adapters.outbound.opendata.types import LICENSE, BuiltDataset

__all__ = ["InvalidDataset", "descriptor", "validate_folder"]


class InvalidDataset(ValueError):
    """A dataset whose files do not pass frictionless validation; the message lists the errors."""


def descriptor(ds: BuiltDataset, version: int, created: str, publisher: str) -> dict[str, Any]:
    resources = []
    for r in ds.resources:
        entry: dict[str, Any] = {"name": r.name, "path": r.path, "title": r.title, "format": r.format,
                                 "mediatype": r.mediatype, "bytes": len(r.data),
                                 "hash": "sha256:" + hashlib.sha256(r.data).hexdigest()}
        if r.schema is not None:
            entry.update(encoding=r.encoding, schema=r.schema)
        else:
            entry["type"] = "json" if r.format in ("json", "jsonld", "geojson") else "file"
        resources.append(entry)
    return {"name": ds.id, "title": ds.title, "description": ds.description, "version": str(version),
            "created": created, "keywords": ds.keywords, "licenses": [LICENSE],
            "contributors": [{"title": publisher, "role": "publisher"}], "resources": resources}


def validate_folder(folder: Path) -> list[str]:
    """Errors of ``folder/datapackage.json`` and its files (empty when valid)."""
    report = frictionless.validate(str(folder / "datapackage.json"))
    if report.valid:
        return []
    out = [str(e.message) for e in report.errors]
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            where = f"{task.name}" + (f":{row}" if row else "") + (f" [{field}]" if field else "")
            out.append(f"{where}: {error.message}")
    return out

"""Versions on disk: each dataset in ``FOLDER/<id>/v<N>/`` with its ``datapackage.json``.

A build writes a new version only when the dataset's content changed; old versions stay where they
are, so a link to a version never breaks. A version is written to a staging folder, validated with
frictionless, and only then renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.outbound.opendata.datapackage import InvalidDataset, descriptor, validate_folder
from adapters.outbound.opendata.types import BuiltDataset

__all__ = ["Published", "digest", "publish_dataset", "read_versions"]

VERSIONS = "versions.json"


@dataclass(frozen=True)
class Published:
    id: str
    version: int
    new: bool


def digest(ds: BuiltDataset) -> str:
    h = hashlib.sha256()
    for r in sorted(ds.resources, key=lambda r: r.path):
        h.update(r.path.encode() + b"\0" + hashlib.sha256(r.data).digest())
    return h.hexdigest()


def read_versions(folder: Path) -> list[dict[str, Any]]:
    path = folder / VERSIONS
    if not path.exists():
        return []
    versions: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return versions


def publish_dataset(root: Path, ds: BuiltDataset, *, created: str, publisher: str) -> Published:
    """Write ``ds`` as a new version if its content differs from the newest one; validate first."""
    home = root / ds.id
    home.mkdir(parents=True, exist_ok=True)
    meta = {"id": ds.id, "title": ds.title, "description": ds.description, "category": ds.category,
            "update_frequency": ds.update_frequency, "keywords": ds.keywords, "template": ds.template}
    (home / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    versions = read_versions(home)
    content = digest(ds)
    if versions and versions[-1]["digest"] == content:
        return Published(ds.id, int(versions[-1]["version"]), new=False)
    number = int(versions[-1]["version"]) + 1 if versions else 1
    staging = home / f".staging-v{number}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for r in ds.resources:
            (staging / r.path).write_bytes(r.data)
        (staging / "datapackage.json").write_text(
            json.dumps(descriptor(ds, number, created, publisher), ensure_ascii=False, indent=2), encoding="utf-8")
        errors = validate_folder(staging)
        if errors:
            raise InvalidDataset(f"{ds.id} ({ds.title}) は検証を通りません: " + "; ".join(errors[:10]))
        staging.rename(home / f"v{number}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    versions.append({"version": number, "created": created, "digest": content,
                     "files": [r.path for r in ds.resources]})
    tmp = home / (VERSIONS + ".tmp")
    tmp.write_text(json.dumps(versions, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(home / VERSIONS)
    return Published(ds.id, number, new=True)

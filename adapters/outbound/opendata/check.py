"""``chipla opendata check``: is a folder fit to publish?

A published folder: every version's files match their ``datapackage.json`` (size, sha256) and pass
frictionless validation, and the catalogue lists each dataset at its newest version. A town folder
(one with ``town.yaml``): every definition, row and ごみ file loads, so mistakes are found with their
file and line before a build.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from datetime import date, datetime
from pathlib import Path

from adapters.outbound.opendata.catalog import entries
from adapters.outbound.opendata.datapackage import validate_folder
from adapters.outbound.opendata.publish import read_versions
from broker.clock import JST
from vocab.located_yaml import DataFileError

__all__ = ["check_folder", "check_published", "check_town"]


def check_published(root: Path) -> list[str]:
    problems: list[str] = []
    if not (root / "catalog.jsonld").exists():
        return [f"{root}: catalog.jsonld がありません (chipla opendata build で作ります)"]
    listed = {d["dct:identifier"]: d["owl:versionInfo"] for d in
              json.loads((root / "catalog.jsonld").read_text(encoding="utf-8"))["dcat:dataset"]}
    items = entries(root)
    for e in items:
        if listed.get(e.id) != str(e.latest):
            problems.append(f"{e.id}: カタログの版 {listed.get(e.id)} が最新版 {e.latest} と違います")
        for v in read_versions(root / e.id):
            folder = root / e.id / f"v{v['version']}"
            package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
            for r in package["resources"]:
                path = folder / r["path"]
                if not path.exists():
                    problems.append(f"{e.id}/v{v['version']}/{r['path']}: ファイルがありません")
                    continue
                data = path.read_bytes()
                if r.get("hash") != "sha256:" + hashlib.sha256(data).hexdigest() or r.get("bytes") != len(data):
                    problems.append(f"{e.id}/v{v['version']}/{r['path']}: 公開後に書き換えられています (hash)")
            problems += [f"{e.id}/v{v['version']}: {p}" for p in validate_folder(folder)]
    for name in set(listed) - {e.id for e in items}:
        problems.append(f"{name}: カタログにあるのにデータセットがありません")
    return problems


def check_town(folder: Path) -> list[str]:
    """Load everything a build would, into a throw-away folder; report the first mistake."""
    from adapters.outbound.opendata.build import BuildOptions, build_site

    now = datetime.now(JST)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            build_site(folder, Path(tmp), BuildOptions(now=now, as_of=date.today()))
        except DataFileError as exc:
            return [str(exc)]
    return []


def check_folder(folder: Path) -> list[str]:
    return check_town(folder) if (folder / "town.yaml").exists() else check_published(folder)

"""The catalogue of a published folder, read back from disk: a DCAT (DCAT-AP) JSON-LD document for
harvesters that speak RDF, and CKAN package dicts for those that speak the CKAN action API.

Both are derived from the same files (``meta.json``, ``versions.json`` and each newest
``datapackage.json``), so they cannot disagree with what is published.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.outbound.opendata.publish import read_versions
from adapters.outbound.opendata.types import LICENSE

__all__ = ["Entry", "ckan_package", "dcat_catalog", "entries"]

_NS = uuid.UUID("6f0b3c52-5a3e-4c1e-9a53-243035000000")
CONTEXT = {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
           "foaf": "http://xmlns.com/foaf/0.1/", "xsd": "http://www.w3.org/2001/XMLSchema#",
           "owl": "http://www.w3.org/2002/07/owl#", "adms": "http://www.w3.org/ns/adms#"}


@dataclass(frozen=True)
class Entry:
    """One published dataset as the catalogue sees it."""

    meta: dict[str, Any]
    versions: list[dict[str, Any]]
    package: dict[str, Any]  # the newest datapackage.json

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def latest(self) -> int:
        return int(self.versions[-1]["version"])


def entries(root: Path) -> list[Entry]:
    out = []
    for meta_file in sorted(root.glob("*/meta.json")):
        home = meta_file.parent
        versions = read_versions(home)
        if not versions:
            continue
        package = json.loads((home / f"v{versions[-1]['version']}" / "datapackage.json").read_text(encoding="utf-8"))
        out.append(Entry(json.loads(meta_file.read_text(encoding="utf-8")), versions, package))
    return out


def _ckan_time(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _url(base: str, *parts: str) -> str:
    return base.rstrip("/") + "/" + "/".join(parts)


def dcat_catalog(items: list[Entry], *, base: str, publisher: str, title: str) -> dict[str, Any]:
    datasets = []
    for e in items:
        version = f"v{e.latest}"
        datasets.append({
            "@id": _url(base, e.id, ""), "@type": "dcat:Dataset", "dct:identifier": e.id,
            "dct:title": {"@value": e.meta["title"], "@language": "ja"},
            "dct:description": {"@value": e.meta["description"], "@language": "ja"},
            "dcat:keyword": [{"@value": k, "@language": "ja"} for k in e.meta.get("keywords", [])],
            "dcat:theme": e.meta["category"], "dct:accrualPeriodicity": e.meta["update_frequency"],
            "dct:issued": {"@value": e.versions[0]["created"], "@type": "xsd:dateTime"},
            "dct:modified": {"@value": e.versions[-1]["created"], "@type": "xsd:dateTime"},
            "owl:versionInfo": str(e.latest), "dct:publisher": {"@type": "foaf:Organization", "foaf:name": publisher},
            "dct:license": {"@id": LICENSE["path"]}, "dcat:landingPage": {"@id": _url(base, e.id, "")},
            "dcat:distribution": [{
                "@id": _url(base, e.id, version, r["path"]), "@type": "dcat:Distribution",
                "dct:title": {"@value": r["title"], "@language": "ja"}, "dct:format": r["format"].upper(),
                "dcat:mediaType": r["mediatype"], "dcat:byteSize": {"@value": str(r["bytes"]), "@type": "xsd:decimal"},
                "dcat:accessURL": {"@id": _url(base, e.id, "")},
                "dcat:downloadURL": {"@id": _url(base, e.id, version, r["path"])},
                "dct:license": {"@id": LICENSE["path"]},
            } for r in e.package["resources"]],
        })
    return {"@context": CONTEXT, "@id": _url(base, "catalog.jsonld"), "@type": "dcat:Catalog",
            "dct:title": {"@value": title, "@language": "ja"},
            "dct:publisher": {"@type": "foaf:Organization", "foaf:name": publisher},
            "dct:license": {"@id": LICENSE["path"]}, "dcat:dataset": datasets}


def ckan_package(e: Entry, *, base: str, publisher: str, org: str) -> dict[str, Any]:
    package_id = str(uuid.uuid5(_NS, e.id))
    version = f"v{e.latest}"
    created, modified = _ckan_time(e.versions[0]["created"]), _ckan_time(e.versions[-1]["created"])
    resources = [{
        "id": str(uuid.uuid5(_NS, f"{e.id}/{r['name']}")), "package_id": package_id, "name": r["title"],
        "description": "", "format": r["format"].upper(), "mimetype": r["mediatype"],
        "url": _url(base, e.id, version, r["path"]), "size": r["bytes"], "hash": r["hash"], "position": i,
        "state": "active", "created": created, "last_modified": modified, "url_type": None,
    } for i, r in enumerate(e.package["resources"])]
    tags = [{"id": str(uuid.uuid5(_NS, "tag/" + k)), "name": k, "display_name": k, "state": "active",
             "vocabulary_id": None} for k in e.meta.get("keywords", [])]
    organization = {"id": str(uuid.uuid5(_NS, "org/" + org)), "name": org, "title": publisher,
                    "type": "organization", "is_organization": True, "state": "active",
                    "approval_status": "approved", "description": "", "image_url": ""}
    return {
        "id": package_id, "name": e.id, "title": e.meta["title"], "notes": e.meta["description"],
        "type": "dataset", "state": "active", "private": False, "version": str(e.latest),
        "license_id": "cc-by", "license_title": "Creative Commons Attribution", "license_url": LICENSE["path"],
        "isopen": True, "author": publisher, "author_email": None, "maintainer": publisher, "maintainer_email": None,
        "metadata_created": created, "metadata_modified": modified, "url": _url(base, e.id, ""),
        "owner_org": organization["id"], "organization": organization, "groups": [],
        "num_resources": len(resources), "resources": resources, "num_tags": len(tags), "tags": tags,
        "extras": [{"key": "update_frequency", "value": e.meta["update_frequency"]},
                   {"key": "category", "value": e.meta["category"]}],
        "relationships_as_object": [], "relationships_as_subject": [],
    }

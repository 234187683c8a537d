"""Names shared by the publisher's modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["LICENSE", "BuiltDataset", "Preview", "Resource"]

LICENSE = {"name": "CC-BY-4.0", "title": "クリエイティブ・コモンズ 表示 4.0 国際 (CC BY 4.0)",
           "path": "https://creativecommons.org/licenses/by/4.0/"}


@dataclass(frozen=True)
class Resource:
    """One published file. ``schema`` (a Table Schema) makes it a table that frictionless validates."""

    name: str  # lower-case, digits, - _ . (a Data Package resource name)
    path: str  # file name inside the version folder
    data: bytes
    format: str
    mediatype: str
    title: str
    schema: dict[str, Any] | None = None
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Preview:
    header: list[str]
    rows: list[list[str]]


@dataclass
class BuiltDataset:
    """A dataset ready to publish: what the catalogue says about it and its files."""

    id: str  # ascii slug, the CKAN package name and the folder name
    title: str
    description: str
    category: str  # 分類 of オープンデータ一覧
    update_frequency: str
    resources: list[Resource]
    keywords: list[str] = field(default_factory=list)
    preview: Preview | None = None
    template: str | None = None  # 自治体標準オープンデータセット name, when it is one
    extra_pages: dict[str, str] = field(default_factory=dict)  # file name -> HTML body (e.g. a chart)

"""Dataset definitions (``towndata/<団体コード>/datasets/*.yaml``) and the privacy guard.

A definition says what a dataset is (title, 分類, 更新頻度) and where its rows come from: rows the town
writes, the town's ごみ data, an aggregate of the hub's canonical records, or a sensor series. The
guard runs at load time, before anything is built: a definition that would publish a field classified
``personal`` or ``specific`` (each service's classification.yaml), or a gate pass, is refused with the
file and line — open data carries public fields and suppressed aggregates only (DESIGN.md §6).

Errors: :class:`vocab.located_yaml.DataFileError` for a malformed file, its subclass
:class:`PrivacyRefused` for a definition the guard refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from broker.services import field_classes
from mappings.opendata.rows import Town
from mappings.opendata.templates import templates
from vocab.located_yaml import DataFileError, Located, load_located

__all__ = ["AGGREGATES", "Definition", "PrivacyRefused", "TownConfig", "load_definitions", "load_town"]

AGGREGATES = {"population": 3}  # aggregate -> smallest count that may be shown
SERIES = ("water_level", "bus")
PERSONAL_SERIES = {"gate_pass": "学校の通学路ゲートの通過記録は個人に結びつく情報です"}
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


class PrivacyRefused(DataFileError):
    """A dataset definition that would publish personal or specific personal information."""


@dataclass(frozen=True)
class TownConfig:
    town: Town
    publisher: str  # 木曽岬町
    org: str  # CKAN organisation name (ascii)
    catalog_title: str
    folder: Path


@dataclass(frozen=True)
class Definition:
    id: str
    title: str
    description: str
    category: str
    update_frequency: str
    keywords: tuple[str, ...]
    kind: str  # rows | gomi | aggregate | series | catalog
    template: str | None
    node: Located  # the whole definition, for builders that read more of it

    @property
    def source(self) -> Located | None:
        return self.node.get("source")


def load_town(folder: Path) -> TownConfig:
    root = load_located(folder / "town.yaml", f"{folder.name}/town.yaml")
    root.only("lg_code", "prefecture", "city", "publisher", "org", "catalog_title")
    lg_code = root["lg_code"].text()
    if not re.fullmatch(r"\d{6}", lg_code):
        raise root["lg_code"].fail(f"団体コード {lg_code!r} は 6 桁です")
    return TownConfig(Town(lg_code, root["prefecture"].text(), root["city"].text()), root["publisher"].text(),
                      root["org"].text(), root["catalog_title"].text(), folder)


def _guard(source: Located) -> str:
    """The kind of a ``source:`` block, after refusing anything that is not public."""
    source.only("service", "fields", "aggregate", "suppress_below", "series", "gomi", "catalog")
    series = source.get("series")
    if series is not None:
        name = series.text()
        if name in PERSONAL_SERIES:
            raise PrivacyRefused(series.file, series.line, f"{name} は公開できません: {PERSONAL_SERIES[name]}")
        if name not in SERIES:
            raise series.fail(f"系列 {name!r} はありません (あるのは {', '.join(SERIES)})")
        return "series"
    if source.get("gomi") is not None:
        return "gomi"
    if source.get("catalog") is not None:
        return "catalog"
    service = source["service"].text()
    aggregate = source.get("aggregate")
    fields = source["fields"].list()
    if aggregate is None:
        for f in fields:
            cls = field_classes(service).class_of(f.text())
            if cls != "public":
                raise PrivacyRefused(f.file, f.line, f"{f.text()} は {cls} に分類された項目です。オープンデータには"
                                     "public の項目と、小さな数を秘匿した集計だけを出せます")
        raise source.fail("行ごとに公開する正準データの出力はまだ定義されていません")
    name = aggregate.text()
    if name not in AGGREGATES:
        raise aggregate.fail(f"集計 {name!r} はありません (あるのは {', '.join(AGGREGATES)})")
    floor = source.get("suppress_below")
    if floor is None or floor.integer() < AGGREGATES[name]:
        where = floor or source
        raise PrivacyRefused(where.file, where.line, f"集計 {name} は {AGGREGATES[name]} 未満の数を秘匿します: "
                             f"suppress_below: {AGGREGATES[name]} 以上を指定してください")
    for f in fields:
        if field_classes(service).class_of(f.text()) == "specific":
            raise PrivacyRefused(f.file, f.line, f"{f.text()} は特定個人情報です。集計にも使えません")
    return "aggregate"


def _definition(path: Path) -> Definition:
    root = load_located(path, f"datasets/{path.name}")
    root.only("id", "title", "description", "category", "update_frequency", "keywords", "template", "rows",
              "source")
    dataset_id = root["id"].text()
    if not _ID.fullmatch(dataset_id):
        raise root["id"].fail(f"id {dataset_id!r} は半角英小文字・数字・-・_ で書いてください")
    template = root.get("template")
    if template is not None and template.text() not in templates():
        raise template.fail(f"テンプレート {template.text()!r} はありません")
    source = root.get("source")
    if source is not None:
        kind = _guard(source)
    elif root.get("rows") is not None and template is not None:
        kind = "rows"
    else:
        raise root.fail("template と rows、または source が必要です")
    keywords = root.get("keywords")
    return Definition(dataset_id, root["title"].text(), root["description"].text(), root["category"].text(),
                      root["update_frequency"].text(), tuple(k.text() for k in keywords.list()) if keywords else (),
                      kind, template.text() if template else None, root)


def load_definitions(folder: Path) -> list[Definition]:
    """Every ``datasets/*.yaml`` of a town folder, checked; ids must be unique."""
    out: list[Definition] = []
    for path in sorted((folder / "datasets").glob("*.yaml")):
        d = _definition(path)
        if any(o.id == d.id for o in out):
            raise d.node["id"].fail(f"id {d.id!r} は別のファイルでも使われています")
        out.append(d)
    return out

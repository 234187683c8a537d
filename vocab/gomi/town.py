"""The town's own ごみ data: the collection calendar (``calendar.yaml``) and the sorting dictionary
(``bunbetsu.csv``), checked on load with file and line in every error.

Areas are groups of 大字; every 大字 of the town belongs to exactly one area, so a resident can
always find theirs. Collection days use the 5374 grammar (:mod:`vocab.gomi.days`), so the same text
is what the town writes and what 5374.jp reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from vocab.address import OazaList
from vocab.gomi.csvtext import read_rows
from vocab.gomi.days import DayCell, parse_cell
from vocab.gomi.five374 import Area, Category, Center, Dataset5374, Remark, Target
from vocab.located_yaml import DataFileError, Located, load_located

__all__ = ["NOT_COLLECTED", "BunbetsuItem", "GomiArea", "GomiCategory", "GomiData", "load_gomi"]

NOT_COLLECTED = "収集しません"
BUNBETSU_HEADER = ["品目", "分別区分", "注意", "ふりがな"]
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_AREA_ID = re.compile(r"[a-z][a-z0-9-]*")
_HIRAGANA = re.compile(r"[ぁ-ゖー]+")


@dataclass(frozen=True)
class GomiCategory:
    label: str
    sublabel: str
    description: str
    color: str


@dataclass(frozen=True)
class GomiArea:
    id: str
    name: str
    center: str
    oaza: tuple[str, ...]
    days: dict[str, DayCell]

    @property
    def title(self) -> str:
        """The area as residents look for it: its name and its 大字."""
        return f"{self.name}（{'・'.join(self.oaza)}）"


@dataclass(frozen=True)
class BunbetsuItem:
    name: str
    category: str
    notice: str
    furigana: str


@dataclass(frozen=True)
class GomiData:
    period_from: date
    period_to: date
    centers: tuple[Center, ...]
    categories: tuple[GomiCategory, ...]
    remarks: tuple[Remark, ...]
    areas: tuple[GomiArea, ...]
    items: tuple[BunbetsuItem, ...]

    def closed(self, center: str, day: date) -> bool:
        return any(c.name == center and c.closed_from and c.closed_to and c.closed_from <= day <= c.closed_to
                   for c in self.centers)

    def collection_days(self, area: GomiArea, label: str) -> list[date]:
        """Days the category is collected in the area over the period, closures left out."""
        cell = area.days.get(label)
        if cell is None:
            return []
        return [d for d in cell.occurrences(self.period_from, self.period_to) if not self.closed(area.center, d)]

    def to_5374(self) -> Dataset5374:
        labels = [c.label for c in self.categories]
        return Dataset5374(
            area_header=["地名", "センター", *labels],
            areas=[Area(a.title, a.center, [a.days.get(label, DayCell()) for label in labels]) for a in self.areas],
            center_header=["名称", "休止開始日", "休止終了日"],
            centers=list(self.centers),
            description_header=["label", "sublabel", "description", "styles", "bgcolor"],
            categories=[Category(c.label, [c.sublabel, c.description, "", c.color]) for c in self.categories],
            target_header=["type", "name", "notice", "furigana"],
            targets=[Target(i.category, i.name, i.notice, i.furigana[0]) for i in self.items
                     if i.category != NOT_COLLECTED],
            remarks_header=["ID", "注意事項"],
            remarks=list(self.remarks),
            layouts={},
        )


def load_gomi(folder: Path, oaza: OazaList | None = None) -> GomiData:
    """Load and check ``calendar.yaml`` and ``bunbetsu.csv``; the first mistake raises DataFileError."""
    towns = oaza or OazaList.load()
    root = load_located(folder / "calendar.yaml", f"{folder.name}/calendar.yaml")
    root.only("period", "centers", "categories", "remarks", "areas")
    period = root["period"]
    start, end = period["from"].date(), period["to"].date()
    if end < start:
        raise period.fail(f"期間の終わり {end} が始まり {start} より前です")
    centers = tuple(_center(node) for node in root["centers"].list())
    categories = tuple(_category(node) for node in root["categories"].list())
    _unique([(c.label, n) for c, n in zip(categories, root["categories"].list(), strict=True)], "ごみの種類")
    remark_nodes = root.get("remarks")
    remarks = tuple(Remark(n["id"].integer(), n["text"].text()) for n in (remark_nodes.list() if remark_nodes else []))
    areas = tuple(_area(node, {c.label for c in categories}, {c.name for c in centers}, {r.id for r in remarks})
                  for node in root["areas"].list())
    _unique([(a.id, n) for a, n in zip(areas, root["areas"].list(), strict=True)], "地区 id")
    seen: dict[str, str] = {}
    for area, node in zip(areas, root["areas"].list(), strict=True):
        for name in area.oaza:
            if towns.find(name) is None or towns.find(name).name != name:  # type: ignore[union-attr]
                raise node["oaza"].fail(f"大字 {name!r} はこの町にありません")
            if name in seen:
                raise node["oaza"].fail(f"大字 {name} は地区 {seen[name]} と {area.id} の両方にあります")
            seen[name] = area.id
    missing = [o.name for o in towns if o.name not in seen]
    if missing:
        raise root["areas"].fail(f"どの地区にも入っていない大字があります: {'・'.join(missing)}")
    items = _bunbetsu(folder / "bunbetsu.csv", f"{folder.name}/bunbetsu.csv", {c.label for c in categories})
    return GomiData(start, end, centers, categories, remarks, areas, items)


def _unique(pairs: list[tuple[str, Located]], what: str) -> None:
    seen: set[str] = set()
    for key, node in pairs:
        if key in seen:
            raise node.fail(f"{what} {key!r} が二度あります")
        seen.add(key)


def _center(node: Located) -> Center:
    node.only("name", "closed")
    closed = node.get("closed")
    if closed is None:
        return Center(node["name"].text(), None, None)
    start, end = closed["from"].date(), closed["to"].date()
    if end < start:
        raise closed.fail(f"休止期間の終わり {end} が始まり {start} より前です")
    return Center(node["name"].text(), start, end)


def _category(node: Located) -> GomiCategory:
    node.only("label", "sublabel", "description", "color")
    color = node["color"].text()
    if not _COLOR.fullmatch(color):
        raise node["color"].fail(f"色 {color!r} は #RRGGBB で書いてください")
    label = node["label"].text()
    if "," in label or not label.strip():
        raise node["label"].fail("ごみの種類の名前にカンマは使えません")
    sub, desc = node.get("sublabel"), node.get("description")
    return GomiCategory(label, sub.text() if sub else "", desc.text() if desc else "", color)


def _area(node: Located, labels: set[str], centers: set[str], remark_ids: set[int]) -> GomiArea:
    node.only("id", "name", "center", "oaza", "days")
    area_id = node["id"].text()
    if not _AREA_ID.fullmatch(area_id):
        raise node["id"].fail(f"地区 id {area_id!r} は半角英小文字・数字・ハイフンで書いてください")
    center = node["center"].text()
    if center not in centers:
        raise node["center"].fail(f"センター {center!r} は centers にありません")
    days: dict[str, DayCell] = {}
    for label, value in node["days"].items():
        if label not in labels:
            raise value.fail(f"ごみの種類 {label!r} は categories にありません")
        cell = parse_cell(value.text())
        if cell.dropped:
            raise value.fail(f"収集日 {value.text()!r}: {cell.dropped[0]}")
        for ref in cell.remarks:
            if ref not in remark_ids:
                raise value.fail(f"注意事項 *{ref} は remarks にありません")
        days[label] = cell
    return GomiArea(area_id, node["name"].text(), center, tuple(n.text() for n in node["oaza"].list()), days)


def _bunbetsu(path: Path, label: str, categories: set[str]) -> tuple[BunbetsuItem, ...]:
    try:
        rows, _ = read_rows(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise DataFileError(label, 1, f"UTF-8 ではありません ({exc.reason})") from exc
    if not rows or rows[0][1] != BUNBETSU_HEADER:
        raise DataFileError(label, 1, f"見出しは {','.join(BUNBETSU_HEADER)} です")
    items = []
    for line, row in rows[1:]:
        if len(row) != 4:
            raise DataFileError(label, line, f"{len(row)} 列あります (4 列のはず)")
        name, category, notice, furigana = row
        if not name:
            raise DataFileError(label, line, "品目が空です")
        if category not in categories and category != NOT_COLLECTED:
            raise DataFileError(label, line, f"分別区分 {category!r} は calendar.yaml の categories にありません")
        if not _HIRAGANA.fullmatch(furigana):
            raise DataFileError(label, line, f"ふりがな {furigana!r} はひらがなで書いてください")
        items.append(BunbetsuItem(name, category, notice, furigana))
    return tuple(items)



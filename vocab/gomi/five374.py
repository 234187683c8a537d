"""5374.jp data (``area_days.csv``, ``center.csv``, ``description.csv``, ``target.csv``,
``remarks.csv``) as a model, read with the quirks of real data sets and written back.

Columns are taken by position where publishers disagree on names (``地名`` / ``校下・地区``,
``type`` / ``label``); category columns of ``area_days.csv`` are matched to ``description.csv``
labels by name. Header names, row lengths (a 6-name header over 5-field rows), line ends, the final
newline and trailing blank lines are kept, so a set with nothing repaired is written back byte for
byte. Every repair is a :class:`Problem` with file and line; the rest of the file is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vocab.gomi.csvtext import Layout, read_rows, write_rows
from vocab.gomi.days import DayCell, parse_cell

__all__ = ["FILES", "Area", "Category", "Center", "Dataset5374", "Problem", "Remark", "Target",
           "read_5374", "write_5374"]

FILES = ("area_days.csv", "center.csv", "description.csv", "target.csv", "remarks.csv")
REQUIRED = FILES[:4]
_SLASH_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Invalid5374(ValueError):
    """A data set that cannot be read at all (a required file missing, not UTF-8, no header)."""


@dataclass
class Area:
    name: str
    center: str
    cells: list[DayCell]  # aligned with Dataset5374.area_header[2:]; as many as the row had


@dataclass
class Center:
    name: str
    closed_from: date | None
    closed_to: date | None
    padded: bool = True  # 2022/01/03 (True) or 2016/1/5 (False)


@dataclass
class Category:
    """A ``description.csv`` row; ``values`` beyond label are kept positionally (rows may be short)."""

    label: str
    values: list[str]

    def get(self, column: int) -> str:
        return self.values[column - 1] if column - 1 < len(self.values) else ""


@dataclass
class Target:
    label: str
    name: str
    notice: str
    furigana: str


@dataclass
class Remark:
    id: int
    text: str


@dataclass
class Dataset5374:
    area_header: list[str]
    areas: list[Area]
    center_header: list[str]
    centers: list[Center]
    description_header: list[str]
    categories: list[Category]
    target_header: list[str]
    targets: list[Target]
    remarks_header: list[str] | None = None  # None: the set has no remarks.csv
    remarks: list[Remark] = field(default_factory=list)
    layouts: dict[str, Layout] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return self.area_header[2:]


def _date(text: str, where: str, line: int, problems: list[Problem]) -> tuple[date | None, bool]:
    if not text:
        return None, True
    m = _SLASH_DATE.fullmatch(text)
    try:
        if not m:
            raise ValueError(text)
        y, mo, d = (int(g) for g in m.groups())
        return date(y, mo, d), len(m.group(2)) == 2 and len(m.group(3)) == 2
    except ValueError:
        problems.append(Problem(where, line, f"{text!r}: 日付は YYYY/MM/DD です"))
        return None, True


def read_5374(folder: Path, name: str | None = None) -> Dataset5374:
    """Read a 5374 data folder. ``name`` prefixes file names in problems (default: the folder name)."""
    prefix = name if name is not None else folder.name
    problems: list[Problem] = []
    tables: dict[str, list[tuple[int, list[str]]]] = {}
    layouts: dict[str, Layout] = {}
    for file in FILES:
        path = folder / file
        if not path.exists():
            if file in REQUIRED:
                raise Invalid5374(f"{prefix}/{file}: 5374 のデータには {file} が必要です")
            continue
        try:
            rows, layout = read_rows(path.read_bytes())
        except UnicodeDecodeError as exc:
            raise Invalid5374(f"{prefix}/{file}: UTF-8 ではありません ({exc.reason}, byte {exc.start})") from exc
        if not rows:
            raise Invalid5374(f"{prefix}/{file}:1: 見出し行がありません")
        tables[file], layouts[file] = rows, layout

    def where(file: str) -> str:
        return f"{prefix}/{file}"

    area_header = tables["area_days.csv"][0][1]
    areas = []
    for line, row in tables["area_days.csv"][1:]:
        cells = []
        for text in row[2:]:
            cell = parse_cell(text)
            problems.extend(Problem(where("area_days.csv"), line, str(e)) for e in cell.dropped)
            cells.append(cell)
        areas.append(Area(row[0], row[1] if len(row) > 1 else "", cells))

    centers = []
    for line, row in tables["center.csv"][1:]:
        padded = True
        closed: list[date | None] = []
        for text in (row + ["", ""])[1:3]:
            day, ok = _date(text, where("center.csv"), line, problems)
            closed.append(day)
            padded = padded and ok
        centers.append(Center(row[0], closed[0], closed[1], padded))

    categories = [Category(row[0], row[1:]) for _, row in tables["description.csv"][1:]]
    known = {c.label for c in categories}
    for column, label in enumerate(area_header[2:], start=3):
        if label not in known:
            message = f"列 {column} {label!r} は description.csv にありません"
            problems.append(Problem(where("area_days.csv"), 1, message))

    targets = []
    for line, row in tables["target.csv"][1:]:
        padded_row = row + [""] * (4 - len(row))
        if len(row) != 4:
            problems.append(Problem(where("target.csv"), line, f"{len(row)} 列です (4 列のはず)"))
        targets.append(Target(*padded_row[:4]))

    remarks_header = None
    remarks = []
    if "remarks.csv" in tables:
        remarks_header = tables["remarks.csv"][0][1]
        for line, row in tables["remarks.csv"][1:]:
            if not row or not row[0].isdigit():
                problems.append(Problem(where("remarks.csv"), line, f"ID {row[:1]!r} は数字ではありません"))
                continue
            remarks.append(Remark(int(row[0]), row[1] if len(row) > 1 else ""))
        ids = {r.id for r in remarks}
        for area, (line, _) in zip(areas, tables["area_days.csv"][1:], strict=True):
            for cell in area.cells:
                for ref in cell.remarks:
                    if ref not in ids:
                        problems.append(Problem(where("area_days.csv"), line, f"*{ref} は remarks.csv にありません"))

    return Dataset5374(area_header, areas, tables["center.csv"][0][1], centers,
                       tables["description.csv"][0][1], categories, tables["target.csv"][0][1], targets,
                       remarks_header, remarks, layouts, problems)


def _slash(day: date | None, padded: bool) -> str:
    if day is None:
        return ""
    return f"{day.year}/{day.month:02d}/{day.day:02d}" if padded else f"{day.year}/{day.month}/{day.day}"


def write_5374(ds: Dataset5374) -> dict[str, bytes]:
    """The data set's files as bytes, in the layout each was read with (LF, final newline otherwise)."""
    out = {
        "area_days.csv": [ds.area_header] + [[a.name, a.center, *(c.text() for c in a.cells)] for a in ds.areas],
        "center.csv": [ds.center_header] + [[c.name, _slash(c.closed_from, c.padded), _slash(c.closed_to, c.padded)]
                                            for c in ds.centers],
        "description.csv": [ds.description_header] + [[c.label, *c.values] for c in ds.categories],
        "target.csv": [ds.target_header] + [[t.label, t.name, t.notice, t.furigana] for t in ds.targets],
    }
    if ds.remarks_header is not None:
        out["remarks.csv"] = [ds.remarks_header] + [[str(r.id), r.text] for r in ds.remarks]
    return {file: write_rows(rows, ds.layouts.get(file, Layout())) for file, rows in out.items()}

"""A town's rows (written in YAML with the template's Japanese column names) mapped onto a template:
the common head (団体コード, NO, 都道府県名, 市区町村名) filled in, hazard lists turned into ○ flags,
values checked against the column types. Every mistake names the file and line of the row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from mappings.opendata.templates import Template
from vocab.located_yaml import Located

__all__ = ["HAZARDS", "Town", "map_rows"]

HAZARDS = ("洪水", "崖崩れ、土石流及び地滑り", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_HEAD = ("都道府県コード又は市区町村コード", "市区町村コード", "都道府県名", "市区町村名")


@dataclass(frozen=True)
class Town:
    lg_code: str
    prefecture: str
    city: str


def _head(column: str, town: Town) -> str:
    return {"都道府県コード又は市区町村コード": town.lg_code, "市区町村コード": town.lg_code,
            "都道府県名": town.prefecture, "市区町村名": town.city}[column]


def _check(value: str, kind: str, column: str, node: Located) -> str:
    try:
        if kind == "number":
            float(value)
        elif kind == "integer":
            int(value)
        elif kind == "date":
            dt.date.fromisoformat(value)
            if len(value) != 10:
                raise ValueError(value)
        elif kind == "time" and not _TIME.fullmatch(value):
            raise ValueError(value)
    except ValueError:
        hint = {"date": "YYYY-MM-DD", "time": "hh:mm", "number": "数値", "integer": "整数"}[kind]
        raise node.fail(f"{column} {value!r} は {hint} で書いてください") from None
    return value


def map_rows(rows: Located, tpl: Template, town: Town) -> list[list[str]]:
    """Template rows (lists in the template's column order) from the ``rows:`` list of a town file."""
    out = []
    for number, node in enumerate(rows.list(), start=1):
        values: dict[str, str] = {}
        for key, value in node.items():
            if key == "災害種別" and "災害種別_洪水" in tpl.columns:
                for hazard in value.list():
                    if hazard.text() not in HAZARDS:
                        raise hazard.fail(f"災害種別 {hazard.text()!r} は {'・'.join(HAZARDS)} のどれかです")
                    values[f"災害種別_{hazard.text()}"] = "○"
                continue
            if key not in tpl.columns:
                raise value.fail(f"列 {key!r} は {tpl.name} のテンプレートにありません")
            if key in _HEAD:
                raise value.fail(f"{key} は町の設定から入ります。書かないでください")
            text = value.text()
            if key in tpl.flags:
                if text not in ("○", "", "true", "false"):
                    raise value.fail(f"{key} は ○ か空です")
                text = "○" if text in ("○", "true") else ""
            values[key] = _check(text, tpl.type_of(key), key, value) if text else ""
        values.setdefault("NO", str(number))
        for column in tpl.columns:
            if column in _HEAD:
                values[column] = _head(column, town)
        missing = [c for c in tpl.columns if c in tpl.required and c not in tpl.flags and not values.get(c)]
        if missing:
            raise node.fail(f"{tpl.name} の必須項目 {', '.join(missing)} がありません")
        out.append([values.get(c, "") for c in tpl.columns])
    return out

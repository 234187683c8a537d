"""The town's ごみ data published: the five 5374.jp files, a 分別 CSV, IMI JSON-LD and one
iCalendar (RFC 5545) per collection area.

In the iCalendar files weekly days become ``RRULE:FREQ=WEEKLY;BYDAY=…``, nth weekdays
``FREQ=MONTHLY;BYDAY=2TU``, a month filter ``BYMONTH=…``, explicit dates ``RDATE``, and the days a
centre is closed ``EXDATE`` — so a calendar app shows the same days as :meth:`GomiData.collection_days`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event, vRecur

from adapters.outbound.opendata.tabular import csv_bytes
from adapters.outbound.opendata.types import Preview, Resource
from mappings.opendata.rows import Town
from vocab.gomi.days import DayCell
from vocab.gomi.five374 import write_5374
from vocab.gomi.town import NOT_COLLECTED, GomiArea, GomiData

__all__ = ["BUNBETSU_COLUMNS", "gomi_resources", "ical_for_area"]

BUNBETSU_COLUMNS = ["全国地方公共団体コード", "ID", "地方公共団体名", "ゴミの品目", "分別区分", "注意点",
                    "料金種別", "料金", "料金備考", "備考"]
_BUNBETSU_REQUIRED = ("ゴミの品目", "分別区分")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
IMI_CONTEXT = "https://imi.go.jp/ns/core/context.jsonld"
EXT_CONTEXT = {"chipla": "urn:chipla:ns:imi-ext:1#", "chipla:収集日": {"@container": "@list"}}


def _strings(header: list[str]) -> dict[str, object]:
    return {"fields": [{"name": h, "type": "string"} for h in header]}


def gomi_resources(gomi: GomiData, town: Town, *, bom: bool, stamp: datetime) -> tuple[list[Resource], Preview]:
    resources = []
    ds5374 = gomi.to_5374()
    headers = {"area_days.csv": ds5374.area_header, "center.csv": ds5374.center_header,
               "description.csv": ds5374.description_header, "target.csv": ds5374.target_header,
               "remarks.csv": ds5374.remarks_header or []}
    for file, data in write_5374(ds5374).items():
        resources.append(Resource(f"5374-{file.removesuffix('.csv').replace('_', '-')}", file, data, "csv", "text/csv",
                                  f"5374.jp {file}", schema=_strings(headers[file])))
    rows = [[town.lg_code, f"{town.lg_code}S{n:05d}", town.city, item.name, item.category, item.notice,
             "有料" if item.category == "粗大ごみ" else ("" if item.category == NOT_COLLECTED else "無料"), "", "",
             "町では収集しません" if item.category == NOT_COLLECTED else ""]
            for n, item in enumerate(gomi.items, start=1)]
    bunbetsu = Resource("bunbetsu", f"{town.lg_code}_gomi_bunbetsu.csv", csv_bytes(BUNBETSU_COLUMNS, rows, bom=bom),
                        "csv", "text/csv", "ごみ分別辞典", encoding="utf-8-sig" if bom else "utf-8",
                        schema={"fields": [{"name": c, "type": "string",
                                            "constraints": {"required": c in _BUNBETSU_REQUIRED}}
                                           for c in BUNBETSU_COLUMNS]})
    resources.append(bunbetsu)
    resources.append(Resource("gomi-imi", f"{town.lg_code}_gomi.jsonld",
                              json.dumps(imi_jsonld(gomi, town), ensure_ascii=False, indent=1).encode("utf-8"),
                              "jsonld", "application/ld+json", "ごみ収集（共通語彙基盤 JSON-LD）"))
    for area in gomi.areas:
        resources.append(Resource(f"calendar-{area.id}", f"gomi_{area.id}.ics", ical_for_area(gomi, area, town, stamp),
                                  "ics", "text/calendar", f"ごみ収集カレンダー {area.title}"))
    labels = [c.label for c in gomi.categories]
    preview = Preview(["地区", *labels], [[a.title, *[a.days.get(label, DayCell()).text() for label in labels]]
                                          for a in gomi.areas])
    return resources, preview


def imi_jsonld(gomi: GomiData, town: Town) -> dict[str, object]:
    """Each (area, category) is a サービス型 whose 収集日 are listed as 日付型 (closures left out)."""
    scheme = {"@type": "ID体系型", "名称": "全国地方公共団体コード"}
    provider = {"@type": "組織型", "名称": {"@type": "名称型", "表記": town.city},
                "ID": {"@type": "ID型", "体系": scheme, "識別値": town.lg_code}}
    graph = []
    for area in gomi.areas:
        for category in gomi.categories:
            cell = area.days.get(category.label)
            if cell is None or not cell.days:
                continue
            graph.append({
                "@type": "サービス型",
                "ID": {"@type": "ID型", "識別値": f"{town.lg_code}-gomi-{area.id}-{category.label}"},
                "名称": {"@type": "名称型", "表記": f"{category.label}の収集"}, "説明": category.description,
                "利用対象": f"{area.title}の住民", "提供者": provider,
                "chipla:収集日": {"@type": "定期スケジュール型", "説明": cell.text(),
                                  "有効開始日時": gomi.period_from.isoformat(),
                                  "有効終了日時": gomi.period_to.isoformat(),
                                  "開催期日": [{"@type": "日付型", "標準型日付": d.isoformat()}
                                           for d in gomi.collection_days(area, category.label)]},
            })
    return {"@context": [IMI_CONTEXT, EXT_CONTEXT], "@graph": graph}


def _first(cell: DayCell, start: date, end: date) -> date | None:
    return next(cell.occurrences(start, end), None)


def ical_for_area(gomi: GomiData, area: GomiArea, town: Town, stamp: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{town.city}//chipla opendata//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{town.city} ごみ収集 {area.title}")
    cal.add("x-wr-timezone", "Asia/Tokyo")
    start, end = gomi.period_from, gomi.period_to
    for index, category in enumerate(gomi.categories):
        cell = area.days.get(category.label)
        if cell is None:
            continue
        notes = [category.description] + [r.text for r in gomi.remarks if r.id in cell.remarks]
        weekly = [t for t in cell.days if t.on is None and t.nth is None]
        monthly = [t for t in cell.days if t.on is None and t.nth is not None]
        dates = [t.on for t in cell.days if t.on is not None and start <= t.on <= end]
        weekly_rule: dict[str, Any] = {"freq": "WEEKLY", "byday": [_BYDAY[t.weekday or 0] for t in weekly]}
        monthly_rule: dict[str, Any] = {"freq": "MONTHLY",
                                        "byday": [f"{t.nth}{_BYDAY[t.weekday or 0]}" for t in monthly]}
        groups = [("weekly", DayCell(tuple(weekly), cell.months), weekly_rule),
                  ("monthly", DayCell(tuple(monthly), cell.months), monthly_rule)]
        for kind, sub, rule in groups:
            if not sub.days:
                continue
            first = _first(sub, start, end)
            if first is None:
                continue
            if cell.months:
                rule["bymonth"] = list(cell.months)
            rule["until"] = end
            closed = [d for d in sub.occurrences(start, end) if gomi.closed(area.center, d)]
            event = _event(f"{town.lg_code}-{area.id}-{index}-{kind}", category.label, notes, first, stamp)
            event.add("rrule", vRecur(rule))
            if closed:
                event.add("exdate", closed)
            cal.add_component(event)
        open_dates = [d for d in dates if not gomi.closed(area.center, d)]
        if open_dates:
            event = _event(f"{town.lg_code}-{area.id}-{index}-dates", category.label, notes, open_dates[0], stamp)
            if len(open_dates) > 1:
                event.add("rdate", open_dates[1:])
            cal.add_component(event)
    return cal.to_ical()


def _event(uid: str, summary: str, notes: list[str], first: date, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{uid}@chipla")
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("description", "\n".join(n for n in notes if n))
    event.add("dtstart", first)
    event.add("dtend", first + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event

"""The ごみ collection calendar the evening reminder reads, in the 5374.jp layout.

``GomiCalendar`` is the interface (areas, what is collected in an area on a day); ``Calendar5374``
reads ``area_days.csv`` (area, centre, one column per category) and ``center.csv`` (centre, closure
start, closure end). Day grammar: ``月 木`` weekly, ``水2 水4`` nth weekday of the month, a month
filter after a colon (``火2:4 6 8``), explicit ``YYYYMMDD`` dates, a trailing remark id (``*3``)
ignored. During a centre's closure nothing is collected in its areas (no week shift).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

WEEKDAYS = "月火水木金土日"  # date.weekday(): Monday = 0
_TOKEN = re.compile(r"^([月火水木金土日])([1-5])?$")


class GomiCalendar(Protocol):
    def areas(self) -> list[str]: ...

    def collections(self, area: str, day: date) -> list[str]: ...


class CalendarInvalid(ValueError):
    pass


@dataclass(frozen=True)
class DayRule:
    weekdays: tuple[tuple[int, int], ...]  # (weekday, nth or 0 for every week)
    months: frozenset[int]  # empty: every month
    dates: frozenset[date]

    @classmethod
    def parse(cls, cell: str) -> DayRule:
        text = cell.strip()
        if "*" in text:
            text = text.split("*", 1)[0].strip()
        months: frozenset[int] = frozenset()
        if ":" in text:
            text, _, month_part = text.partition(":")
            months = frozenset(int(m) for m in month_part.split())
        weekdays: list[tuple[int, int]] = []
        dates: set[date] = set()
        for token in text.split():
            m = _TOKEN.match(token)
            if m:
                weekdays.append((WEEKDAYS.index(m.group(1)), int(m.group(2) or 0)))
            elif token.isdigit() and len(token) == 8:
                dates.add(datetime.strptime(token, "%Y%m%d").date())
            else:
                raise CalendarInvalid(f"{token!r} is not a 5374 day token")
        return cls(tuple(weekdays), months, frozenset(dates))

    def matches(self, day: date) -> bool:
        if day in self.dates:
            return True
        if self.months and day.month not in self.months:
            return False
        nth = (day.day - 1) // 7 + 1
        return any(day.weekday() == wd and n in (0, nth) for wd, n in self.weekdays)


class Calendar5374:
    def __init__(self, rules: dict[str, dict[str, DayRule]], centres: dict[str, str],
                 closures: dict[str, list[tuple[date, date]]]) -> None:
        self._rules, self._centres, self._closures = rules, centres, closures

    @classmethod
    def read(cls, folder: Path) -> Calendar5374:
        with (folder / "area_days.csv").open(encoding="utf-8-sig", newline="") as f:
            rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
        header, body = rows[0], rows[1:]
        categories = [h.strip() for h in header[2:]]
        rules: dict[str, dict[str, DayRule]] = {}
        centres: dict[str, str] = {}
        for row in body:
            area = row[0].strip()
            centres[area] = row[1].strip() if len(row) > 1 else ""
            try:
                rules[area] = {c: DayRule.parse(cell) for c, cell in zip(categories, row[2:], strict=False)
                               if cell.strip()}
            except (CalendarInvalid, ValueError) as exc:
                raise CalendarInvalid(f"{folder / 'area_days.csv'}: {area}: {exc}") from exc
        closures: dict[str, list[tuple[date, date]]] = {}
        center_csv = folder / "center.csv"
        if center_csv.exists():
            with center_csv.open(encoding="utf-8-sig", newline="") as f:
                for row in list(csv.reader(f))[1:]:
                    if len(row) >= 3 and row[0].strip():
                        start, end = (datetime.strptime(v.strip(), "%Y/%m/%d").date() for v in row[1:3])
                        closures.setdefault(row[0].strip(), []).append((start, end))
        return cls(rules, centres, closures)

    def areas(self) -> list[str]:
        return list(self._rules)

    def collections(self, area: str, day: date) -> list[str]:
        centre = self._centres.get(area, "")
        if any(start <= day <= end for start, end in self._closures.get(centre, [])):
            return []
        return [c for c, rule in self._rules.get(area, {}).items() if rule.matches(day)]

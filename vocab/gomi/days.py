"""The 5374 day grammar: one cell of ``area_days.csv`` as data, and back to the same text.

A cell is space-separated tokens: ``月`` (every Monday), ``火2`` (2nd Tuesday, 1–5), ``20140403``
(an explicit date), ``*3`` (a reference to ``remarks.csv`` ID 3); an optional month filter after a
colon applies to the whole cell (``水2:4 6 8 10 12 2``). Tokens keep their order, so a cell that was
written in this grammar is written back byte for byte. A token that is not in the grammar (a 9-digit
"date") is reported and left out: the rest of the cell is kept.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = ["WEEKDAYS", "DayCell", "DayToken", "GrammarError", "parse_cell"]

WEEKDAYS = "月火水木金土日"  # index = date.weekday()
_WEEKDAY_TOKEN = re.compile(rf"([{WEEKDAYS}])([1-5])?")
_DATE_TOKEN = re.compile(r"\d{8}")
_REMARK_TOKEN = re.compile(r"\*(\d+)")
_UNKNOWN = "曜日 (月火水木金土日)、第n曜日 (火2)、日付 (YYYYMMDD) のどれでもありません"


class GrammarError(ValueError):
    """A token of a cell that is not in the 5374 grammar; ``token`` is the offending text."""

    def __init__(self, token: str, reason: str) -> None:
        super().__init__(f"{token!r}: {reason}")
        self.token = token
        self.reason = reason


@dataclass(frozen=True)
class DayToken:
    """One collection day rule: a weekday (``nth`` None = every week), or one explicit date."""

    weekday: int | None = None
    nth: int | None = None
    on: date | None = None

    def text(self) -> str:
        if self.on is not None:
            return self.on.strftime("%Y%m%d")
        assert self.weekday is not None
        return WEEKDAYS[self.weekday] + (str(self.nth) if self.nth else "")

    def matches(self, day: date) -> bool:
        if self.on is not None:
            return day == self.on
        if day.weekday() != self.weekday:
            return False
        return self.nth is None or (day.day - 1) // 7 + 1 == self.nth


@dataclass(frozen=True)
class DayCell:
    """A parsed cell: day rules in source order, the month filter, remark IDs, and what was dropped."""

    days: tuple[DayToken, ...] = ()
    months: tuple[int, ...] = ()
    remarks: tuple[int, ...] = ()
    dropped: tuple[GrammarError, ...] = field(default=(), compare=False)

    @property
    def empty(self) -> bool:
        return not self.days and not self.remarks

    def text(self) -> str:
        head = " ".join(t.text() for t in self.days)
        if self.months:
            head += ":" + " ".join(str(m) for m in self.months)
        return " ".join(part for part in (head, *(f"*{r}" for r in self.remarks)) if part)

    def matches(self, day: date) -> bool:
        if self.months and day.month not in self.months:
            return False
        return any(t.matches(day) for t in self.days)

    def occurrences(self, start: date, end: date) -> Iterator[date]:
        """Collection days from ``start`` to ``end`` inclusive (closures are the caller's business)."""
        day = start
        while day <= end:
            if self.matches(day):
                yield day
            day += timedelta(days=1)


def parse_cell(text: str) -> DayCell:
    """Parse one cell. Never raises for a bad token: it is dropped and recorded in ``dropped``."""
    days: list[DayToken] = []
    months: list[int] = []
    remarks: list[int] = []
    dropped: list[GrammarError] = []
    in_months = False
    for raw in text.split(" ") if text else []:
        token = raw
        if ":" in token:
            token, _, first_month = token.partition(":")
            if token:
                _day(token, days, dropped)
            in_months = True
            token = first_month
            if not token:
                continue
        if remark := _REMARK_TOKEN.fullmatch(token):
            remarks.append(int(remark.group(1)))
        elif in_months:
            if token.isdigit() and 1 <= int(token) <= 12:
                months.append(int(token))
            else:
                dropped.append(GrammarError(token, "月の指定は 1 から 12 です"))
        else:
            _day(token, days, dropped)
    return DayCell(tuple(days), tuple(months), tuple(remarks), tuple(dropped))


def _day(token: str, days: list[DayToken], dropped: list[GrammarError]) -> None:
    if m := _WEEKDAY_TOKEN.fullmatch(token):
        days.append(DayToken(weekday=WEEKDAYS.index(m.group(1)), nth=int(m.group(2)) if m.group(2) else None))
    elif _DATE_TOKEN.fullmatch(token):
        year, month, dom = int(token[:4]), int(token[4:6]), int(token[6:])
        if not (1 <= month <= 12 and 1 <= dom <= calendar.monthrange(year, month)[1]):
            dropped.append(GrammarError(token, "存在しない日付です"))
        else:
            days.append(DayToken(on=date(year, month, dom)))
    elif token.isdigit():
        dropped.append(GrammarError(token, "日付は YYYYMMDD の 8 桁です"))
    else:
        dropped.append(GrammarError(token, _UNKNOWN))

"""The 元号 table (明治 … 令和) with exact first and last days, read from ``data/eras.csv``.

The last day of an era is the day before the next era's first day, so 昭和64年1月7日 exists and
昭和64年1月8日 does not. 明治 starts on 1868-10-23, the conventional Gregorian date of the 改元
(the era was applied retroactively to the whole of 1868, so 明治元年 = 1868). Japan kept the
lunisolar calendar until 明治5年12月2日; the day after was 明治6年1月1日 = 1873-01-01.
``GREGORIAN_ADOPTION`` marks that day: month/day pairs written before it are lunisolar and cannot be
converted by arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from vocab._data import data_file, read_csv_rows

__all__ = ["GREGORIAN_ADOPTION", "Era", "all_eras", "era_by_token", "era_of"]

GREGORIAN_ADOPTION = dt.date(1873, 1, 1)


@dataclass(frozen=True)
class Era:
    """One 元号 and the Gregorian span it covers (``end`` is None for the current era)."""

    key: str
    name: str
    letter: str
    short: str
    start: dt.date
    end: dt.date | None

    def gregorian_year(self, era_year: int) -> int:
        """Gregorian year of 元号 year ``era_year`` (元年 = 1)."""
        return self.start.year + era_year - 1

    def last_era_year(self) -> int | None:
        """The highest valid year number (昭和 → 64), or None for the current era."""
        return None if self.end is None else self.end.year - self.start.year + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@cache
def all_eras() -> tuple[Era, ...]:
    """Eras in chronological order."""
    rows = read_csv_rows(data_file("eras.csv"))
    starts = [dt.date.fromisoformat(row["start"]) for row in rows]
    eras = []
    for index, row in enumerate(rows):
        end = starts[index + 1] - dt.timedelta(days=1) if index + 1 < len(rows) else None
        eras.append(Era(row["key"], row["name"], row["letter"], row["short"], starts[index], end))
    return tuple(eras)


def era_by_token(token: str) -> Era:
    """Find an era by name (平成), Latin initial (H/h), one-kanji short form (平) or key (heisei)."""
    for era in all_eras():
        if token in (era.name, era.letter, era.letter.lower(), era.short, era.key):
            return era
    raise ValueError(f"unknown era {token!r}")


def era_of(day: dt.date) -> Era:
    """The era a Gregorian day belongs to; ``ValueError`` before 明治."""
    for era in reversed(all_eras()):
        if era.contains(day):
            return era
    raise ValueError(f"{day.isoformat()} is before 明治 (first day {all_eras()[0].start.isoformat()})")

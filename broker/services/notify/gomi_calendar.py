"""The ごみ collection calendar the evening reminder reads.

``GomiCalendar`` is what the rule needs: the areas a resident can choose, and what is collected in one
of them on a day. Both readings sit on ``vocab.gomi`` — the same day grammar and closures the open-data
export publishes, so a reminder never disagrees with the published calendar:

- ``TownCalendar``: the town's own ``calendar.yaml`` (the file ``chipla opendata`` publishes). Residents
  choose their 大字, which they know, and get the days of the collection area that 大字 belongs to.
- ``Calendar5374``: a published 5374.jp set (another town's ``area_days.csv`` …); areas by 地名.

During a centre's closure nothing is collected in its areas (no week shift).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Protocol

from vocab.gomi.five374 import Dataset5374, Invalid5374, Problem, read_5374
from vocab.gomi.town import GomiArea, GomiData, load_gomi

log = logging.getLogger(__name__)


class GomiCalendar(Protocol):
    def areas(self) -> list[str]: ...

    def collections(self, area: str, day: date) -> list[str]: ...


class CalendarInvalid(ValueError):
    pass


class TownCalendar:
    def __init__(self, data: GomiData) -> None:
        self._data = data
        self._area_of: dict[str, GomiArea] = {oaza: area for area in data.areas for oaza in area.oaza}

    def areas(self) -> list[str]:
        return list(self._area_of)

    def collections(self, area: str, day: date) -> list[str]:
        found = self._area_of.get(area)
        if found is None or self._data.closed(found.center, day):
            return []
        return [label for label, cell in found.days.items() if cell.matches(day)]


class Calendar5374:
    def __init__(self, data: Dataset5374) -> None:
        self.problems: list[Problem] = list(data.problems)
        closures: dict[str, list[tuple[date, date]]] = {}
        for c in data.centers:
            if c.closed_from and c.closed_to:
                closures.setdefault(c.name, []).append((c.closed_from, c.closed_to))
        self._closures = closures
        self._areas = {a.name: a for a in data.areas}
        self._labels = data.labels

    @classmethod
    def read(cls, folder: Path) -> Calendar5374:
        try:
            calendar = cls(read_5374(folder))
        except Invalid5374 as exc:
            raise CalendarInvalid(str(exc)) from exc
        for problem in calendar.problems:  # a dropped token is a reminder that will not be sent: say so
            log.warning("ごみ収集カレンダー %s", problem)
        return calendar

    def areas(self) -> list[str]:
        return list(self._areas)

    def collections(self, area: str, day: date) -> list[str]:
        found = self._areas.get(area)
        if found is None or any(start <= day <= end for start, end in self._closures.get(found.center, [])):
            return []
        return [label for label, cell in zip(self._labels, found.cells, strict=False) if cell.matches(day)]


def read_calendar(folder: Path) -> GomiCalendar:
    """The town's ``calendar.yaml`` when the folder has one, else a 5374.jp set."""
    if (folder / "calendar.yaml").exists():
        return TownCalendar(load_gomi(folder))
    return Calendar5374.read(folder)

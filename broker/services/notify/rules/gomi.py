"""ごみ: the evening before each collection day, the subscribers of each 大字 hear what goes out
tomorrow. Reminders are made from ``remindAt`` on; each (大字, day) once, whatever the clock does."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from broker.clock import JST
from broker.services.notify.definitions import RuleDef
from broker.services.notify.events import Intent
from broker.services.notify.gomi_calendar import GomiCalendar
from broker.services.notify.rules.base import Rule

WEEKDAY_JA = "月火水木金土日"


class GomiReminderRule(Rule):
    def __init__(self, lg_code: str, definition: RuleDef, calendar: GomiCalendar | None) -> None:
        super().__init__(lg_code, definition)
        self.remind_at = time.fromisoformat(str(definition.params.get("remindAt", "18:00")))
        self.calendar = calendar

    def topics(self) -> dict[str, frozenset[str]]:
        return {"gomi_area": frozenset(self.calendar.areas() if self.calendar else ())}

    def on_tick(self, at: datetime, states: dict[str, dict[str, Any]],
                memos: dict[str, dict[str, Any]]) -> list[tuple[str, list[Intent]]]:
        local = at.astimezone(JST)
        if self.calendar is None or local.time() < self.remind_at:
            return []
        tomorrow = local.date() + timedelta(days=1)
        state = states.setdefault("calendar", {})
        if state.get("done") == tomorrow.isoformat():
            return []
        state["done"] = tomorrow.isoformat()
        intents = []
        for area in self.calendar.areas():
            categories = self.calendar.collections(area, tomorrow)
            if categories:
                day = f"{tomorrow.month}月{tomorrow.day}日（{WEEKDAY_JA[tomorrow.weekday()]}）"
                intents.append(Intent(
                    self.lg_code, self.id, "gomi", area, tomorrow.isoformat(), False, (("gomi_area", area),),
                    "gomi", {"area": area, "day": day, "categories": categories}, at))
        return [("calendar", intents)]

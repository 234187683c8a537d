"""Bus delay: a stop pass against the timetable predicts the delay at every stop still ahead.

When the bus is ``delayMinutes`` or more behind at a stop, the route's subscribers and the
subscribers of each stop it has not reached yet are mailed once for that trip, with the expected
times ahead; subscribers of stops already passed are not (the news would come too late). The
prediction carries the present delay forward unchanged: a simple model, and the one a resident
reading 「約N分遅れ」 expects.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from broker.clock import JST
from broker.services.notify.definitions import RuleDef
from broker.services.notify.events import Intent, Reading
from broker.services.notify.rules.base import Rule
from broker.services.notify.timetable import Timetable, Trip


def scheduled_at(service_day: datetime, seconds: int) -> datetime:
    return service_day + timedelta(seconds=seconds)


def service_day_of(at: datetime, seconds: int) -> datetime:
    """The service day whose schedule lies nearest the pass (a trip after midnight runs on yesterday's)."""
    local = at.astimezone(JST)
    today = datetime(local.year, local.month, local.day, tzinfo=JST)
    days = (today - timedelta(days=1), today)
    return min(days, key=lambda d: abs((local - scheduled_at(d, seconds)).total_seconds()))


class BusDelayRule(Rule):
    families = ("bus_stop_pass",)

    def __init__(self, lg_code: str, definition: RuleDef, timetable: Timetable | None) -> None:
        super().__init__(lg_code, definition)
        self.routes = frozenset(str(r) for r in definition.params.get("routes") or ())  # empty: every route
        self.name = str(definition.params.get("name") or "")  # what residents call the bus (町内バス)
        self.threshold = timedelta(minutes=float(definition.params.get("delayMinutes", 5)))
        self.timetable = timetable

    def _trip(self, reading: Reading) -> Trip | None:
        trip_id = str(reading.facts.get("tripId") or "")
        if not trip_id or self.timetable is None:
            return None
        trip = self.timetable.trip(trip_id)
        return trip if trip is not None and (not self.routes or trip.route_id in self.routes) else None

    def topics(self) -> dict[str, frozenset[str]]:
        trips = [t for t in (self.timetable.trips() if self.timetable else ())
                 if not self.routes or t.route_id in self.routes]
        return {"bus_route": frozenset(t.route_id for t in trips),
                "bus_stop": frozenset(s.stop_id for t in trips for s in t.stops)}

    def subjects(self, reading: Reading) -> str:
        return str(reading.facts.get("tripId") or "")

    def on_reading(self, reading: Reading, state: dict[str, Any], memo: dict[str, Any]) -> list[Intent]:
        trip = self._trip(reading)
        stop_id = str(reading.facts.get("stopId") or "")
        if trip is None or not stop_id:
            return []
        # a loop passes its first stop again at the end: the call meant is the one nearest in time
        calls = [(i, service_day_of(reading.at, s.seconds)) for i, s in enumerate(trip.stops) if s.stop_id == stop_id]
        if not calls:
            return []
        index, day = min(calls, key=lambda c: abs(reading.at - scheduled_at(c[1], trip.stops[c[0]].seconds)))
        passed = trip.stops[index]
        delay = reading.at - scheduled_at(day, passed.seconds)
        key = day.strftime("%Y-%m-%d")
        if delay < self.threshold or state.get("notified") == key:
            return []
        ahead = trip.stops[index + 1:]
        if not ahead:
            return []
        state["notified"] = key
        minutes = int(delay.total_seconds() // 60)
        first = trip.stops[0]
        audience = (("bus_route", trip.route_id), *(("bus_stop", s.stop_id) for s in ahead))
        context = {
            "route": f"{self.name} {trip.route_name}".strip(), "headsign": trip.headsign,
            "departure": scheduled_at(day, first.seconds).strftime("%H:%M"), "from": first.stop_name,
            "minutes": minutes, "passed": passed.stop_name, "at": reading.at.astimezone(JST).strftime("%H:%M"),
            "ahead": [{"stop": s.stop_name, "scheduled": scheduled_at(day, s.seconds).strftime("%H:%M"),
                       "expected": (scheduled_at(day, s.seconds) + delay).strftime("%H:%M")} for s in ahead],
        }
        return [Intent(self.lg_code, self.id, "bus", f"{trip.trip_id}", key, False, audience, "bus_delay",
                       context, reading.at)]

"""The bus timetable the delay rule compares against: trips with their stops and scheduled times.

``Timetable`` is the small interface the rule needs; ``GtfsTimetable`` reads it from a GTFS-JP feed
(``trips.txt``, ``stop_times.txt``, ``stops.txt``, ``routes.txt``) through ``mappings.gtfs``, the
reader the open-data export validates with — by default the feed the town publishes. Real feeds come
with a UTF-8 BOM, CRLF line ends and hours without a leading zero (``9:55:00``); GTFS times may pass
24:00 for trips after midnight, so a time is kept as seconds after the service day's noon − 12 h.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mappings.gtfs.feed import Feed, read_feed


@dataclass(frozen=True)
class StopTime:
    seq: int
    stop_id: str
    stop_name: str
    seconds: int  # after midnight of the service day; may exceed 86,400


@dataclass(frozen=True)
class Trip:
    trip_id: str
    route_id: str
    route_name: str
    headsign: str
    stops: tuple[StopTime, ...]


class Timetable(Protocol):
    def trip(self, trip_id: str) -> Trip | None: ...

    def trips(self) -> list[Trip]: ...


class TimetableInvalid(ValueError):
    pass


def gtfs_seconds(value: str) -> int:
    parts = value.strip().split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise TimetableInvalid(f"{value!r} is not a GTFS time (H:MM:SS)")
    h, m, s = (int(p) for p in parts)
    return h * 3600 + m * 60 + s


class GtfsTimetable:
    def __init__(self, trips: dict[str, Trip]) -> None:
        self._trips = trips

    @classmethod
    def read(cls, source: Path | bytes) -> GtfsTimetable:
        """A GTFS-JP folder or zip (``mappings.gtfs`` reads it as it is: BOM, CRLF, short hours)."""
        return cls.of_feed(read_feed(source), str(source) if isinstance(source, Path) else "GTFS zip")

    @classmethod
    def of_feed(cls, feed: Feed, where: str) -> GtfsTimetable:
        if "stop_times.txt" not in feed.files:
            raise TimetableInvalid(f"{where}: no stop_times.txt")
        stop_names = {r["stop_id"]: r.get("stop_name") or r["stop_id"] for _, r in feed.rows("stops.txt")}
        routes = {r["route_id"]: r.get("route_short_name") or r.get("route_long_name") or r["route_id"]
                  for _, r in feed.rows("routes.txt")}
        times: dict[str, list[StopTime]] = {}
        for line, r in feed.rows("stop_times.txt"):
            clock = r.get("departure_time") or r.get("arrival_time") or ""
            if not clock:
                continue  # untimed stop: interpolation is not ours to guess
            try:
                stop = StopTime(int(r["stop_sequence"]), r["stop_id"], stop_names.get(r["stop_id"], r["stop_id"]),
                                gtfs_seconds(clock))
            except (KeyError, ValueError) as exc:
                raise TimetableInvalid(f"{where}: stop_times.txt:{line}: {exc}") from exc
            times.setdefault(r["trip_id"], []).append(stop)
        trips: dict[str, Trip] = {}
        for _, r in feed.rows("trips.txt"):
            stops = sorted(times.get(r["trip_id"], []), key=lambda s: s.seq)
            if stops:
                trips[r["trip_id"]] = Trip(r["trip_id"], r["route_id"], routes.get(r["route_id"], r["route_id"]),
                                           r.get("trip_headsign", ""), tuple(stops))
        return cls(trips)

    def trip(self, trip_id: str) -> Trip | None:
        return self._trips.get(trip_id)

    def trips(self) -> list[Trip]:
        return list(self._trips.values())

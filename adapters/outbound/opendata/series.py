"""The read interface the publisher needs from sensor observations, and an in-memory fake.

The publisher does not know how observations are stored: it asks a :class:`SeriesSource` for the
gauges, the latest reading of each, one day's readings, and the latest bus positions. The hub's
observation store provides one; :class:`MemorySeries` is the fake for tests and for a build without
a hub.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from broker.clock import as_jst

__all__ = ["BusPosition", "Gauge", "MemorySeries", "Reading", "SeriesSource"]


@dataclass(frozen=True)
class Gauge:
    id: str
    name: str
    lat: float
    lon: float
    thresholds: dict[str, float] = field(default_factory=dict)  # 水防団待機水位 … 氾濫危険水位, in m
    unit: str = "m"


@dataclass(frozen=True)
class Reading:
    gauge_id: str
    observed_at: datetime  # timezone-aware
    value: float


@dataclass(frozen=True)
class BusPosition:
    vehicle_id: str
    trip_id: str | None
    lat: float
    lon: float
    observed_at: datetime
    bearing: float | None = None
    speed: float | None = None  # m/s
    stop_id: str | None = None
    delay: int | None = None  # seconds, positive = late


class SeriesSource(Protocol):
    def gauges(self) -> list[Gauge]: ...

    def latest(self, gauge_id: str) -> Reading | None: ...

    def daily(self, gauge_id: str, day: date) -> list[Reading]: ...

    def bus_positions(self) -> list[BusPosition]: ...


class MemorySeries:
    """Observations kept in memory: insert through :meth:`add` / :meth:`add_position`."""

    def __init__(self, gauges: list[Gauge] | None = None) -> None:
        self._gauges = {g.id: g for g in gauges or []}
        self._readings: dict[str, list[Reading]] = {}
        self._positions: dict[str, BusPosition] = {}

    def add_gauge(self, gauge: Gauge) -> None:
        self._gauges[gauge.id] = gauge

    def add(self, reading: Reading) -> None:
        if reading.gauge_id not in self._gauges:
            raise KeyError(f"unknown gauge {reading.gauge_id!r}")
        if reading.observed_at.tzinfo is None:
            raise ValueError("observed_at must carry its time zone")
        self._readings.setdefault(reading.gauge_id, []).append(reading)

    def add_position(self, position: BusPosition) -> None:
        current = self._positions.get(position.vehicle_id)
        if current is None or current.observed_at <= position.observed_at:
            self._positions[position.vehicle_id] = position

    def gauges(self) -> list[Gauge]:
        return list(self._gauges.values())

    def latest(self, gauge_id: str) -> Reading | None:
        readings = self._readings.get(gauge_id)
        return max(readings, key=lambda r: r.observed_at) if readings else None

    def daily(self, gauge_id: str, day: date) -> list[Reading]:
        return sorted((r for r in self._readings.get(gauge_id, []) if as_jst(r.observed_at).date() == day),
                      key=lambda r: r.observed_at)

    def bus_positions(self) -> list[BusPosition]:
        return sorted(self._positions.values(), key=lambda p: p.vehicle_id)

"""Sensor health and water-level charts from the sensor feeds' read interface.

Health is what ``sensor_events`` says (``stale`` until ``recovered``) beside each device's last
reading; charts are the last 24 hours of each gauge with its four 基準水位 drawn as lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from broker.clock import as_jst, now
from broker.services.sensors import queries
from broker.services.sensors.models import Reading, SensorEvent, SensorThing
from broker.store import Store

LEVEL_ORDER = ("水防団待機水位", "氾濫注意水位", "避難判断水位", "氾濫危険水位")
WIDTH, HEIGHT = 560, 200


@dataclass
class DeviceHealth:
    id: str
    name: str
    family: str
    last_seen: datetime | None
    state: str  # ok | stale | never


@dataclass
class Gauge:
    id: str
    name: str
    oaza: str
    levels: list[tuple[str, float]]
    points: list[tuple[str, float]]
    chart: dict[str, Any] = field(default_factory=dict)


def health(store: Store, lg_code: str) -> list[DeviceHealth]:
    with store.read() as s:
        things = s.execute(select(SensorThing.id, SensorThing.name, SensorThing.family)
                           .where(SensorThing.lg_code == lg_code).order_by(SensorThing.id)).tuples().all()
        seen = dict(s.execute(select(Reading.thing_id, func.max(Reading.result_time))
                              .group_by(Reading.thing_id)).tuples().all())
        last_event: dict[str, str] = {}
        for thing_id, kind in s.execute(select(SensorEvent.thing_id, SensorEvent.kind)
                                        .where(SensorEvent.kind.in_(("stale", "recovered")))
                                        .order_by(SensorEvent.id)).tuples():
            last_event[thing_id] = kind
    out = []
    for thing_id, name, family in things:
        last = seen.get(thing_id)
        state = "never" if last is None else ("stale" if last_event.get(thing_id) == "stale" else "ok")
        out.append(DeviceHealth(thing_id, name, family, as_jst(last) if last else None, state))
    return out


def gauges(store: Store, lg_code: str, at: datetime | None = None) -> list[Gauge]:
    t = at or now()
    out = []
    for device in queries.devices(store, lg_code, "water_level"):
        raw = (device.get("properties") or {}).get("thresholds", {}).get("levels", {})
        levels = [(name, float(raw[name])) for name in LEVEL_ORDER if name in raw]
        points: list[tuple[str, float]] = []
        for day in sorted({(t - timedelta(days=1)).date(), t.date()}):
            points += queries.series(store, lg_code, device["id"], "waterLevel", day)
        since = t - timedelta(hours=24)
        points = [(when, v) for when, v in points if datetime.fromisoformat(when) >= since]
        gauge = Gauge(device["id"], device["name"], device.get("oaza") or "", levels, points)
        gauge.chart = chart(points, levels, since, t)
        out.append(gauge)
    return out


def chart(points: list[tuple[str, float]], levels: list[tuple[str, float]], start: datetime,
          end: datetime) -> dict[str, Any]:
    """SVG geometry: the series as a polyline over 24 h, each threshold as a labelled line."""
    values = [v for _, v in points] + [v for _, v in levels]
    low = min([0.0, *values])
    high = max([1.0, *values]) * 1.1
    span = (end - start).total_seconds()

    def y(v: float) -> float:
        return round(HEIGHT - (v - low) / (high - low) * HEIGHT, 1)

    line = " ".join(f"{round((datetime.fromisoformat(w) - start).total_seconds() / span * WIDTH, 1)},{y(v)}"
                    for w, v in points)
    return {"width": WIDTH, "height": HEIGHT, "line": line,
            "levels": [{"name": n, "value": v, "y": y(v)} for n, v in levels]}

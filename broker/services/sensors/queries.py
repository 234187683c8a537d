"""The read side of the sensor feeds, for other services (open data, NGSI, the console).

Small and stable on purpose: the latest value of each datastream of a device, a day's series or the
daily summary of one property, and the latest bus positions. Times are JST ISO 8601 strings; values
carry their UCUM unit. Gate passes and anything personal are not offered here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from broker.clock import JST
from broker.services.sensors.models import Datastream, Observation, Reading, SensorThing
from broker.store import Store

PUBLIC_FAMILIES = ("water_level", "bus_position", "bus_stop_pass", "paddy", "greenhouse", "eel_pond", "wifi_ap")


@dataclass(frozen=True)
class Latest:
    device_id: str
    family: str
    observed_property: str
    unit: str
    value: float
    time: str
    quality: tuple[str, ...]


@dataclass(frozen=True)
class DailySummary:
    day: str
    count: int
    minimum: float
    maximum: float
    mean: float
    unit: str


@dataclass(frozen=True)
class BusPosition:
    device_id: str
    lat: float
    lon: float
    time: str
    route_id: str | None
    trip_id: str | None


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=JST).isoformat()


def devices(store: Store, lg_code: str, family: str | None = None) -> list[dict[str, Any]]:
    """Things of a tenant (public families only) with location, 大字 and settings such as thresholds."""
    with store.read() as s:
        q = select(SensorThing).where(SensorThing.lg_code == lg_code, SensorThing.family.in_(PUBLIC_FAMILIES))
        if family:
            q = q.where(SensorThing.family == family)
        return [{"id": t.id, "family": t.family, "name": t.name, "oaza": t.oaza, "lat": t.lat, "lon": t.lon,
                 "properties": t.properties} for t in s.execute(q.order_by(SensorThing.id)).scalars()]


def latest(store: Store, lg_code: str, device_id: str) -> list[Latest]:
    """The newest observation of every datastream of one device."""
    with store.read() as s:
        thing = s.get(SensorThing, device_id)
        if thing is None or thing.lg_code != lg_code or thing.family not in PUBLIC_FAMILIES:
            return []
        out = []
        for ds in s.execute(select(Datastream).where(Datastream.thing_id == device_id)
                            .order_by(Datastream.observed_property)).scalars():
            row = s.execute(select(Observation.result, Observation.phenomenon_ms, Observation.quality)
                            .where(Observation.datastream_id == ds.id)
                            .order_by(Observation.phenomenon_ms.desc(), Observation.id.desc()).limit(1)).first()
            if row is not None:
                out.append(Latest(device_id, thing.family, ds.observed_property, ds.unit, row.result,
                                  _iso(row.phenomenon_ms), tuple(row.quality or ())))
        return out


def series(store: Store, lg_code: str, device_id: str, observed_property: str, day: date) -> list[tuple[str, float]]:
    """Every observation of one property during one JST calendar day, in time order."""
    start = datetime(day.year, day.month, day.day, tzinfo=JST)
    lo, hi = int(start.timestamp() * 1000), int((start + timedelta(days=1)).timestamp() * 1000)
    with store.read() as s:
        rows = s.execute(
            select(Observation.phenomenon_ms, Observation.result)
            .join(Datastream, Datastream.id == Observation.datastream_id)
            .join(SensorThing, SensorThing.id == Datastream.thing_id)
            .where(SensorThing.lg_code == lg_code, SensorThing.id == device_id,
                   SensorThing.family.in_(PUBLIC_FAMILIES), Datastream.observed_property == observed_property,
                   Observation.phenomenon_ms >= lo, Observation.phenomenon_ms < hi)
            .order_by(Observation.phenomenon_ms)).all()
    return [(_iso(r.phenomenon_ms), r.result) for r in rows]


def daily(store: Store, lg_code: str, device_id: str, observed_property: str, first: date,
          last: date) -> list[DailySummary]:
    """Per JST day from ``first`` to ``last``: count, min, max, mean (days without data are left out)."""
    out = []
    with store.read() as s:
        unit = s.execute(select(Datastream.unit).join(SensorThing, SensorThing.id == Datastream.thing_id).where(
            SensorThing.lg_code == lg_code, Datastream.thing_id == device_id,
            Datastream.observed_property == observed_property)).scalar()
    if unit is None:
        return []
    day = first
    while day <= last:
        values = [v for _, v in series(store, lg_code, device_id, observed_property, day)]
        if values:
            out.append(DailySummary(day.isoformat(), len(values), min(values), max(values),
                                    sum(values) / len(values), unit))
        day += timedelta(days=1)
    return out


def bus_positions(store: Store, lg_code: str) -> list[BusPosition]:
    """The newest position of every bus of a tenant."""
    with store.read() as s:
        newest = (select(Reading.thing_id, func.max(Reading.id).label("id"))
                  .join(SensorThing, SensorThing.id == Reading.thing_id)
                  .where(SensorThing.lg_code == lg_code, SensorThing.family == "bus_position")
                  .group_by(Reading.thing_id).subquery())
        rows = s.execute(select(Reading).join(newest, newest.c.id == Reading.id).order_by(Reading.thing_id)).scalars()
        return [BusPosition(r.thing_id, r.facts["position"]["lat"], r.facts["position"]["lon"], r.phenomenon_time,
                            r.facts.get("routeId"), r.facts.get("tripId")) for r in rows]

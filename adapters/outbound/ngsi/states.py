"""Device states of one tenant from the store (for the entity queries) or from a freshly stored batch
(for notifications, without reading back what the transaction just wrote)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adapters.outbound.ngsi.entities import DeviceState, Value
from broker.services.sensors.models import Datastream, Observation, Reading, SensorEvent, SensorThing
from broker.services.sensors.store import StoredReading


def _state(t: SensorThing) -> DeviceState:
    return DeviceState(t.lg_code, t.id, t.family, t.name, t.oaza, t.lat, t.lon, dict(t.properties))


def load(s: Session, lg_code: str) -> list[DeviceState]:
    things = {t.id: _state(t) for t in s.execute(select(SensorThing).where(SensorThing.lg_code == lg_code)
                                                 .order_by(SensorThing.id)).scalars()}
    if not things:
        return []
    newest = (select(Observation.datastream_id, func.max(Observation.id).label("id"))
              .join(Datastream, Datastream.id == Observation.datastream_id)
              .where(Datastream.thing_id.in_(list(things))).group_by(Observation.datastream_id).subquery())
    for thing_id, prop, unit, result, ms, quality in s.execute(
            select(Datastream.thing_id, Datastream.observed_property, Datastream.unit, Observation.result,
                   Observation.phenomenon_ms, Observation.quality)
            .join(Observation, Observation.datastream_id == Datastream.id)
            .join(newest, newest.c.id == Observation.id)).tuples():
        things[thing_id].values[prop] = Value(result, unit, ms, tuple(quality or ()))
    last = (select(Reading.thing_id, func.max(Reading.id).label("id")).where(Reading.thing_id.in_(list(things)))
            .group_by(Reading.thing_id).subquery())
    for thing_id, ms, facts in s.execute(select(Reading.thing_id, Reading.phenomenon_ms, Reading.facts)
                                         .join(last, last.c.id == Reading.id)).tuples():
        things[thing_id].last_ms = ms
        things[thing_id].facts = dict(facts)
    health = (select(SensorEvent.thing_id, func.max(SensorEvent.id).label("id"))
              .where(SensorEvent.kind.in_(("stale", "recovered")), SensorEvent.thing_id.in_(list(things)))
              .group_by(SensorEvent.thing_id).subquery())
    for thing_id, kind in s.execute(select(SensorEvent.thing_id, SensorEvent.kind)
                                    .join(health, health.c.id == SensorEvent.id)).tuples():
        things[thing_id].stale = kind == "stale"
    return list(things.values())


def from_stored(stored: list[StoredReading], units: dict[str, dict[str, str]]) -> list[DeviceState]:
    """Each stored reading as a device state, in order (every update is notified, as Orion does);
    ``units`` is family → property → unit."""
    out = []
    for sr in stored:
        d, r = sr.reading.device, sr.reading
        state = DeviceState(d.lg_code, d.id, d.family, d.name, d.oaza, d.lat, d.lon, dict(d.properties),
                            facts=dict(r.facts), last_ms=r.phenomenon_ms)
        for prop, value in r.values.items():
            state.values[prop] = Value(value, units[d.family][prop], r.phenomenon_ms, tuple(sr.quality.get(prop, ())))
        out.append(state)
    return out

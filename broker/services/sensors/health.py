"""Stale sensors: a device silent for ``factor`` × its reporting interval raises a ``stale`` event once;
its next reading raises ``recovered``. Both are rows of ``sensor_events`` (and audited), so the
console and any subscriber see the same history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from broker import audit
from broker.clock import as_jst, now
from broker.models import table_of
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.models import Reading, SensorEvent
from broker.store import Store

STALE_FACTOR = 3.0


def check_stale(store: Store, registry: DeviceRegistry, at: datetime | None = None,
                factor: float = STALE_FACTOR) -> list[str]:
    """Write ``stale`` / ``recovered`` events where a device's state changed; return the devices touched."""
    t = at or now()
    with store.write() as s:
        last_seen = dict(s.execute(select(Reading.thing_id, func.max(Reading.result_time))
                                   .group_by(Reading.thing_id)).tuples().all())
        latest_event = {}
        for thing_id, kind in s.execute(
                select(SensorEvent.thing_id, SensorEvent.kind)
                .where(SensorEvent.kind.in_(("stale", "recovered")))
                .order_by(SensorEvent.id)).tuples():
            latest_event[thing_id] = kind
        rows: list[dict[str, Any]] = []
        for device in registry.devices.values():
            seen = last_seen.get(device.id)
            limit = timedelta(seconds=device.interval_seconds * factor)
            silent = seen is None or t - as_jst(seen) > limit
            was_stale = latest_event.get(device.id) == "stale"
            if silent and not was_stale and seen is not None:
                rows.append({"thing_id": device.id, "lg_code": device.lg_code, "kind": "stale", "at": t,
                             "detail": {"lastSeen": as_jst(seen).isoformat(), "limitSeconds": limit.total_seconds()}})
            elif not silent and was_stale:
                rows.append({"thing_id": device.id, "lg_code": device.lg_code, "kind": "recovered", "at": t,
                             "detail": {"lastSeen": as_jst(seen).isoformat() if seen else None}})
        if rows:
            s.execute(insert(table_of(SensorEvent)), rows)
            audit.append_many(s, [("hub", f"sensor.{r['kind']}", r["thing_id"], r["detail"]) for r in rows])
    return [str(r["thing_id"]) for r in rows]

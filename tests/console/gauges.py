"""The last day of readings of every water-level gauge in the 木曽岬町 device registry — a slow
tide-like swell with one rain peak — written through the sensor feed's observation store (the same
checks, tables and threshold events as readings that arrive over MQTT), for the console's charts."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from broker.clock import now
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.store import Incoming, ObservationStore
from broker.store import Store


def level_at(t: datetime, phase: float) -> float:
    """Metres above the gauge zero: a 12.4-hour swell around 0.5 m and a rain peak six hours ago."""
    hours = t.timestamp() / 3600
    rain = 0.9 * math.exp(-(((now() - t).total_seconds() / 3600 - 6) ** 2) / 4)
    return round(0.5 + 0.25 * math.sin(2 * math.pi * hours / 12.42 + phase) + rain, 2)


def backfill(store: Store, hours: int = 24, registry: DeviceRegistry | None = None) -> int:
    """Readings every interval for the last ``hours`` of every water-level gauge; returns how many."""
    devices = registry or DeviceRegistry.load(None)
    sink = ObservationStore(store, devices)
    sink.sync_registry()
    end = now().replace(microsecond=0)
    batch: list[Incoming] = []
    for n, device in enumerate(d for d in devices.devices.values() if d.family == "water_level"):
        steps = hours * 3600 // device.interval_seconds
        for seq in range(1, steps + 1):
            t = end - timedelta(seconds=device.interval_seconds * (steps - seq))
            payload = {"time": t.isoformat(), "seq": seq, "battery": {"value": 90, "unit": "%"},
                       "values": {"waterLevel": {"value": level_at(t, n * 1.3), "unit": "m"}}}
            batch.append(Incoming(f"chipla/{device.lg_code}/water_level/{device.id}", json.dumps(payload).encode()))
    outcomes = sink.write(batch)
    return sum(1 for o in outcomes if o.stored)

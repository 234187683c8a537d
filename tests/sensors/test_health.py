"""A sensor silent for 3 × its interval raises one ``stale`` event; its next reading, ``recovered``."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from broker.clock import now
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.health import check_stale
from broker.services.sensors.models import SensorEvent
from broker.services.sensors.store import Incoming, ObservationStore
from broker.store import Store

TOPIC = "chipla/243035/wifi_ap/ap-shelter-01"  # reports every 300 s


def _reading(seq: int) -> Incoming:
    return Incoming(TOPIC, json.dumps({"time": now().replace(microsecond=0).isoformat(), "seq": seq,
                                       "values": {"clientsConnected": {"value": 3, "unit": "{client}"}}}).encode())


def test_stale_then_recovered(db_url: str, device_registry: DeviceRegistry) -> None:
    """On both stores: the migration, the batched insert and the events work on SQLite and PostgreSQL."""
    store = Store(db_url, synchronous="NORMAL")
    store.migrate()
    sink = ObservationStore(store, device_registry)
    sink.write([_reading(1)])
    assert check_stale(store, device_registry) == []  # just heard from
    later = now() + timedelta(seconds=3 * 300 + 5)
    assert check_stale(store, device_registry, at=later) == ["ap-shelter-01"]
    assert check_stale(store, device_registry, at=later) == []  # raised once, not on every pass
    sink.write([_reading(2)])
    assert check_stale(store, device_registry) == ["ap-shelter-01"]
    with store.read() as s:
        kinds = list(s.execute(select(SensorEvent.kind).where(SensorEvent.thing_id == "ap-shelter-01")
                               .order_by(SensorEvent.id)).scalars())
    assert kinds == ["stale", "recovered"]
    store.dispose()

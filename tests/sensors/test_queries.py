"""The read interface other services use: latest values, day series and summaries, bus positions —
tenant-scoped and without the personal gate passes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from broker.services.sensors import queries
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.store import Incoming, ObservationStore
from broker.store import Store


@pytest.fixture
def fed(tmp_path: Path, device_registry: DeviceRegistry) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'q.db'}", synchronous="NORMAL")
    store.migrate()
    sink = ObservationStore(store, device_registry)
    sink.sync_registry()
    gauge = [Incoming("chipla/243035/water_level/wl-genroku-01", json.dumps({
        "time": f"2026-06-{day:02d}T{hour:02d}:00:00+09:00", "seq": day * 100 + hour,
        "values": {"waterLevel": {"value": value, "unit": "m"}}}).encode())
        for day, hour, value in [(29, 23, 0.4), (30, 0, 0.5), (30, 12, 1.2), (30, 23, 0.7)]]
    bus = [Incoming("chipla/243035/bus_position/bus-01-gps", json.dumps({
        "time": f"2026-06-30T08:00:{sec:02d}+09:00", "seq": sec, "position": {"lat": 35.07 + sec / 1e4, "lon": 136.78},
        "routeId": "kita"}).encode()) for sec in (0, 15, 30)]
    gate = [Incoming("chipla/243035/gate_pass/gate-school-01", json.dumps({
        "time": "2026-06-30T07:40:00+09:00", "seq": 1, "tagId": "0123456789abcdef", "direction": "in"}).encode())]
    assert all(o.stored for o in sink.write(gauge + bus + gate))
    return store


def test_latest_series_and_daily_summary_of_a_gauge(fed: Store) -> None:
    latest = {x.observed_property: x for x in queries.latest(fed, "243035", "wl-genroku-01")}
    assert latest["waterLevel"].value == 0.7 and latest["waterLevel"].unit == "m"
    assert latest["waterLevel"].time == "2026-06-30T23:00:00+09:00"
    day = queries.series(fed, "243035", "wl-genroku-01", "waterLevel", date(2026, 6, 30))
    assert day == [("2026-06-30T00:00:00+09:00", 0.5), ("2026-06-30T12:00:00+09:00", 1.2),
                   ("2026-06-30T23:00:00+09:00", 0.7)]
    summary = queries.daily(fed, "243035", "wl-genroku-01", "waterLevel", date(2026, 6, 29), date(2026, 6, 30))
    assert [(d.day, d.count, d.minimum, d.maximum) for d in summary] == [("2026-06-29", 1, 0.4, 0.4),
                                                                         ("2026-06-30", 3, 0.5, 1.2)]


def test_bus_positions_and_tenant_scope(fed: Store) -> None:
    [bus] = queries.bus_positions(fed, "243035")
    assert (bus.device_id, bus.lat, bus.route_id) == ("bus-01-gps", pytest.approx(35.073), "kita")
    assert queries.bus_positions(fed, "131016") == []
    assert queries.latest(fed, "131016", "wl-genroku-01") == []


def test_gate_passes_are_not_offered(fed: Store) -> None:
    assert queries.latest(fed, "243035", "gate-school-01") == []
    assert all(d["family"] != "gate_pass" for d in queries.devices(fed, "243035"))

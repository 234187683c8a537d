"""The publisher over the hub's real observation store: readings accepted by the sensor feed's store
come out as the water-level dataset and as GTFS-Realtime vehicle positions, and gate passes never do."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import frictionless
import pytest
from google.transit import gtfs_realtime_pb2 as rt

from adapters.outbound.opendata.build import BuildOptions, build_site, default_town_folder
from adapters.outbound.opendata.gtfs import load_bus
from adapters.outbound.opendata.gtfs_rt import feed_bytes
from adapters.outbound.opendata.sensor_series import StoreSeries
from broker.clock import JST
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.store import Incoming, ObservationStore
from broker.store import Store


def _fed(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}", synchronous="NORMAL")
    store.migrate()
    sink = ObservationStore(store, DeviceRegistry.load())
    sink.sync_registry()
    readings = [Incoming("chipla/243035/water_level/wl-genroku-01", json.dumps({
        "time": f"2026-06-30T{hour:02d}:00:00+09:00", "seq": hour,
        "values": {"waterLevel": {"value": 0.5 + hour * 0.05, "unit": "m"}}}).encode()) for hour in range(0, 24, 2)]
    bus = [Incoming("chipla/243035/bus_position/bus-01-gps", json.dumps({
        "time": "2026-06-30T08:00:15+09:00", "seq": 1, "position": {"lat": 35.0731, "lon": 136.78},
        "routeId": "kita"}).encode())]
    gate = [Incoming("chipla/243035/gate_pass/gate-school-01", json.dumps({
        "time": "2026-06-30T07:40:00+09:00", "seq": 1, "tagId": "0123456789abcdef", "direction": "in"}).encode())]
    assert all(o.stored for o in sink.write(readings + bus + gate))
    return store


def test_water_levels_and_bus_positions_from_the_store(tmp_path: Path) -> None:
    store = _fed(tmp_path)
    try:
        series = StoreSeries(store, "243035")
        gauges = {g.id: g for g in series.gauges()}
        assert set(gauges) == {"wl-genroku-01", "wl-karoto-01"}
        assert gauges["wl-genroku-01"].thresholds["氾濫危険水位"] == 1.70
        latest = series.latest("wl-genroku-01")
        assert latest is not None and latest.value == 0.5 + 22 * 0.05
        assert len(series.daily("wl-genroku-01", date(2026, 6, 30))) == 12
        assert series.latest("wl-karoto-01") is None
        out = tmp_path / "out"
        build_site(default_town_folder(), out, BuildOptions(
            now=datetime(2026, 6, 30, 23, 0, tzinfo=JST), as_of=date(2026, 6, 30), store=store, series=series))
        report = frictionless.validate(str(out / "water_level" / "v1" / "datapackage.json"))
        assert report.valid, report.flatten(["type", "note"])
        published = "".join(p.read_text(encoding="utf-8") for p in out.glob("*/v1/*.csv"))
        assert "gate" not in published and "0123456789abcdef" not in published
        message = rt.FeedMessage()
        message.ParseFromString(feed_bytes("vehicle_positions", load_bus(default_town_folder() / "bus"),
                                           series.bus_positions(), datetime(2026, 6, 30, 8, 1, tzinfo=JST)))
        [entity] = message.entity
        assert entity.vehicle.vehicle.id == "bus-01-gps" and entity.vehicle.position.latitude == pytest.approx(35.0731)
    finally:
        store.dispose()

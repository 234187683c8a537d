"""The demo's simulated devices speak the contract: everything they publish is stored, nothing is
quarantined, every family is heard from, and the rain event takes a gauge past its thresholds."""

from __future__ import annotations

from sqlalchemy import select

from adapters.outbound.opendata.build import default_town_folder
from adapters.outbound.opendata.gtfs import load_bus
from broker.services.sensors.models import Reading, SensorEvent
from simulators.devices import ROUTE, ROUTE_ID, TownDevices, trip_in_service
from tests.sensors.support import SensorRig
from tests.wait import until


def test_simulated_town_devices_are_accepted(rig: SensorRig) -> None:
    published: list[str] = []
    devices = TownDevices(rig.registry, rig.broker.host, rig.broker.port, rig.broker.files.credentials.passwords,
                          speed=600, tick_seconds=0.02, on_publish=lambda device, _body: published.append(device))

    def crossed() -> bool:
        with rig.store.read() as s:
            return s.execute(select(SensorEvent.id).where(SensorEvent.kind == "threshold").limit(1)).first() is not None

    devices.start()
    try:
        until(lambda: crossed() and set(published) >= set(rig.registry.devices), timeout=30,
              what="every device heard from and a threshold crossed")
    finally:
        devices.stop()
    until(lambda: rig.readings() >= len(published), timeout=20, what="every simulated reading stored")
    assert rig.quarantined() == []
    with rig.store.read() as s:
        families = set(s.execute(select(Reading.thing_id)).scalars())
    assert families == set(rig.registry.devices)


def test_the_simulated_bus_runs_a_route_and_trips_of_the_published_feed() -> None:
    """So the open data's GTFS-Realtime names the bus's trip, and delay rules can find it."""
    feed = load_bus(default_town_folder() / "bus")
    departures = {t.id: t.times[0][1] for r in feed.routes if r.id == ROUTE_ID for t in r.trips}
    first = min(departures, key=departures.__getitem__)
    for minute in range(0, 24 * 60, 5):
        started = [t for t, d in departures.items() if d <= minute]
        expected = max(started, key=departures.__getitem__) if started else first
        assert trip_in_service(minute) == expected
    stops = {s.id for s in feed.stops}
    assert ROUTE and {stop for stop, *_ in ROUTE} <= stops

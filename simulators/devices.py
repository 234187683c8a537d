"""Simulated devices of 木曽岬町 for ``chipla demo`` and tests: each logs in to the broker with its own
credentials and publishes at QoS 1 on its own topic, as the real ones would.

- the bus drives the town's published 北回り loop (``towndata``) and reports its position with the trip in
  service, and arrivals with boarding counts (a door event names no trip: the simulated bus runs
  faster than its timetable, and delay mails would be noise);
- a rain event raises the canal gauges past their thresholds and lets them fall again;
- gates report morning passes of pseudonymous tags; farm sensors and Wi-Fi APs report their values.

Time runs faster than real time (``speed`` simulated seconds per second) but every reading carries
the real clock, so the hub's future-time check and ordering apply as in the field.
"""

from __future__ import annotations

import json
import math
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from adapters.outbound.opendata.build import default_town_folder
from adapters.outbound.opendata.gtfs import load_bus
from broker.clock import as_jst, now
from broker.services.sensors.devices import Device, DeviceRegistry


def _bus_route(route_id: str = "kita") -> tuple[list[tuple[str, str, float, float]], list[tuple[str, int]]]:
    """The loop the bus drives, from the feed the town publishes: (stop id, 大字, lat, lon) without the
    return to the first stop, and (trip id, departure minute) of the route's trips."""
    feed = load_bus(default_town_folder() / "bus")
    route = next(r for r in feed.routes if r.id == route_id)
    stops = {s.id: s for s in feed.stops}
    calls = [stop for stop, _ in route.trips[0].times]
    if calls[-1] == calls[0]:
        calls = calls[:-1]
    return ([(s, stops[s].oaza, stops[s].lat, stops[s].lon) for s in calls],
            [(t.id, t.times[0][1]) for t in route.trips])


ROUTE_ID = "kita"
ROUTE, TRIPS = _bus_route(ROUTE_ID)


def trip_in_service(at_minute: int) -> str:
    """The trip that left last (the first one before the day's first departure)."""
    started = [trip for trip, departs in TRIPS if departs <= at_minute]
    return started[-1] if started else TRIPS[0][0]
TAGS = ["3f9a0c1d2e4b5a67", "8c21d0e9f7a6b543", "b7e6d5c4a3f2e1d0", "0a1b2c3d4e5f6071"]


def _minute_of_day() -> int:
    local = as_jst(now())
    return local.hour * 60 + local.minute


@dataclass
class _Publisher:
    device: Device
    client: mqtt.Client
    seq: int = 0

    def send(self, body: dict[str, Any]) -> None:
        self.seq += 1
        payload = {"time": now().isoformat(timespec="seconds"), "seq": self.seq, **body}
        self.client.publish(self.device.topic, json.dumps(payload, ensure_ascii=False), qos=1)


@dataclass
class TownDevices:
    registry: DeviceRegistry
    host: str
    port: int
    passwords: dict[str, str]
    speed: float = 60.0  # simulated seconds per tick
    tick_seconds: float = 1.0
    on_publish: Callable[[str, dict[str, Any]], None] | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _publishers: dict[str, _Publisher] = field(default_factory=dict)
    _thread: threading.Thread | None = None

    def start(self) -> TownDevices:
        for device in self.registry.devices.values():
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"sim-{device.id}", protocol=mqtt.MQTTv5)
            client.username_pw_set(device.id, self.passwords[device.id])
            client.connect(self.host, self.port)
            client.loop_start()
            self._publishers[device.id] = _Publisher(device, client)
        self._thread = threading.Thread(target=self._run, name="chipla-sim-devices", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        for p in self._publishers.values():
            p.client.disconnect()
            p.client.loop_stop()

    def _emit(self, device_id: str, body: dict[str, Any]) -> None:
        publisher = self._publishers.get(device_id)
        if publisher is None:
            return
        publisher.send(body)
        if self.on_publish:
            self.on_publish(device_id, body)

    def _run(self) -> None:
        rng = random.Random(243035)
        tick = 0
        while not self._stop.wait(self.tick_seconds):
            tick += 1
            minutes = tick * self.speed / 60  # simulated minutes since the start
            self._bus(tick, rng)
            if tick % 2 == 0:
                self._gauges(minutes, rng)
            if tick % 5 == 0:
                self._farms(minutes, rng)
                self._wifi(minutes, rng)
            if tick % 3 == 0:
                self._gate(rng)

    def _bus(self, tick: int, rng: random.Random) -> None:
        leg, step = divmod(tick, 6)  # six position reports per leg between two stops
        a, b = ROUTE[leg % len(ROUTE)], ROUTE[(leg + 1) % len(ROUTE)]
        f = step / 6
        lat, lon = a[2] + (b[2] - a[2]) * f, a[3] + (b[3] - a[3]) * f
        bearing = (math.degrees(math.atan2(b[3] - a[3], b[2] - a[2])) + 360) % 360
        self._emit("bus-01-gps", {"position": {"lat": round(lat, 6), "lon": round(lon, 6)},
                                  "routeId": ROUTE_ID, "tripId": trip_in_service(_minute_of_day()),
                                  "values": {"speed": {"value": 0.0 if step == 0 else round(rng.uniform(20, 35), 1),
                                                       "unit": "km/h"},
                                             "bearing": {"value": round(bearing, 1), "unit": "deg"}}})
        if step == 0:
            self._emit("bus-01-door", {"stopId": a[0], "event": "arrival",
                                       "values": {"boarding": {"value": rng.randint(0, 4), "unit": "{person}"},
                                                  "alighting": {"value": rng.randint(0, 3), "unit": "{person}"}}})

    def _gauges(self, minutes: float, rng: random.Random) -> None:
        # a rain event: rising for 90 simulated minutes, peak, then falling; repeats every 6 hours
        phase = (minutes % 360) / 90
        rain = max(0.0, math.sin(min(phase, 2.0) * math.pi / 2)) if phase < 2 else 0.0
        for device_id, base, peak in (("wl-genroku-01", 0.45, 1.35), ("wl-karoto-01", 0.40, 1.05)):
            level = base + peak * rain + rng.uniform(-0.01, 0.01)
            self._emit(device_id, {"battery": {"value": 92, "unit": "%"},
                                   "values": {"waterLevel": {"value": round(level, 2), "unit": "m"}}})

    def _farms(self, minutes: float, rng: random.Random) -> None:
        day = math.sin(minutes / 1440 * 2 * math.pi)

        def q(value: float, unit: str, digits: int = 1) -> dict[str, Any]:
            return {"value": round(value, digits), "unit": unit}

        self._emit("paddy-tomitane-01", {"values": {"waterLevel": q(5 + rng.uniform(-0.3, 0.3), "cm"),
                                                    "waterTemperature": q(22 + 4 * day, "Cel")}})
        self._emit("gh-kenniyu-01", {"values": {"temperature": q(26 + 5 * day, "Cel"),
                                                "relativeHumidity": q(70 - 10 * day, "%"),
                                                "co2": q(600 + 150 * day, "[ppm]", 0)}})
        self._emit("eel-kaminote-01", {"values": {"waterTemperature": q(28 + day, "Cel"),
                                                  "dissolvedOxygen": q(6.5 + rng.uniform(-0.4, 0.4), "mg/L", 2),
                                                  "pH": q(7.2 + rng.uniform(-0.1, 0.1), "[pH]", 2)}})

    def _wifi(self, minutes: float, rng: random.Random) -> None:
        for device_id, usual in (("ap-shelter-01", 6), ("ap-shelter-02", 3), ("ap-event-01", 25)):
            self._emit(device_id, {"values": {"clientsConnected": {"value": max(0, usual + rng.randint(-3, 3)),
                                                                   "unit": "{client}"}}})

    def _gate(self, rng: random.Random) -> None:
        self._emit("gate-school-01", {"tagId": rng.choice(TAGS), "direction": "in"})

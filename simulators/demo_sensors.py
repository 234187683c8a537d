"""The sensor half of ``chipla demo``: the embedded Mosquitto, the MQTT door, the simulated devices of
木曽岬町, an NGSI client system, and a short status line (readings stored, water levels as the
cloud sees them through ``/ngsi/v2``, threshold events) for the console."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import httpx
from sqlalchemy import func, select

from adapters.outbound.ngsi.subscriptions import NotificationTap
from broker.services.sensors.models import Reading, SensorEvent
from chipla.config import Settings
from chipla.feeds import SensorFeed
from simulators.devices import TownDevices
from simulators.sandbox import LG, RunningHub

NGSI_KEY = "demo-toshi-os-key-243035"


@dataclass
class DemoSensors:
    hub: RunningHub
    feed: SensorFeed
    devices: TownDevices
    seen_events: int = 0

    @classmethod
    def start(cls, hub: RunningHub, port: int, folder: str = "var/demo-mqtt") -> DemoSensors:
        shutil.rmtree(folder, ignore_errors=True)  # a fresh broker session for a fresh demo store
        settings = Settings(db_url=hub.parts.settings.db_url, mqtt_url="embedded", mqtt_port=port, mqtt_folder=folder)
        feed = SensorFeed(settings, hub.parts.store, [NotificationTap()])
        feed.start()
        hub.parts.sensors = feed
        hub.parts.registry.upsert_system({"id": "toshi-os", "name": "都市OS (NGSI client)", "lgCode": LG,
                                          "apiKey": NGSI_KEY, "allow": ["ngsi/*"]})
        assert feed.broker is not None
        devices = TownDevices(feed.registry, "127.0.0.1", port, feed.broker.files.credentials.passwords).start()
        return cls(hub, feed, devices)

    def stop(self) -> None:
        self.devices.stop()
        self.feed.stop()

    def status(self) -> list[str]:
        with self.hub.parts.store.read() as s:
            readings = s.execute(select(func.count()).select_from(Reading)).scalar_one()
            events = list(s.execute(select(SensorEvent).where(SensorEvent.id > self.seen_events)
                                    .order_by(SensorEvent.id)).scalars())
        lines = [f"センサー: {readings} readings stored"]
        try:
            observed = httpx.get(f"{self.hub.url}/ngsi/v2/entities", timeout=5,
                                 params={"type": "WaterObserved", "options": "keyValues",
                                         "attrs": "waterLevel,areaServed"},
                                 headers={"X-Auth-Token": NGSI_KEY, "Fiware-Service": LG}).json()
            lines.append("NGSI WaterObserved: " + ", ".join(f"{e.get('areaServed')} {e.get('waterLevel')} m"
                                                             for e in observed))
        except httpx.HTTPError as exc:
            lines.append(f"NGSI: {exc}")
        for e in events:
            self.seen_events = e.id
            if e.kind == "threshold":
                arrow = "↑" if e.detail.get("rising") else "↓"
                level = e.detail.get("level") or "基準水位未満"
                lines.append(f"{arrow} {e.thing_id}: {e.detail.get('value')} m → {level}")
            else:
                lines.append(f"! {e.thing_id}: {e.kind}")
        return lines

    def urls(self) -> list[tuple[str, str]]:
        return [("MQTT (Mosquitto; device logins in var/demo-mqtt/credentials)",
                 f"mqtt://127.0.0.1:{self.feed.settings.mqtt_port}"),
                ("NGSI-v2 (X-Auth-Token " + NGSI_KEY + ", Fiware-Service " + LG + ")",
                 f"{self.hub.url}/ngsi/v2/entities?type=WaterObserved&options=keyValues")]

"""The sensor feeds as the composition root assembles them: device registry, observation store with
its taps, the MQTT door, and — by default — the embedded Mosquitto the hub starts itself.

Why a Mosquitto started by the hub rather than an in-process Python broker: see docs/sensors.md
(the tests, the benchmark and production then run the same broker with the same shipped settings).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.inbound.mqtt.ingest import MqttEndpoint, MqttIngest
from adapters.inbound.mqtt.mosquitto import HUB_USER, MosquittoProcess, write_broker_files
from adapters.outbound.ngsi.subscriptions import NotificationTap
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.health import check_stale
from broker.services.sensors.mimamori import purge_expired
from broker.services.sensors.store import ObservationStore, Tap
from broker.store import Store
from chipla.config import Settings

log = logging.getLogger(__name__)


class SensorFeed:
    def __init__(self, settings: Settings, store: Store, taps: list[Tap] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.registry = DeviceRegistry.load(settings.sensor_registry or None)
        self.sink = ObservationStore(store, self.registry, taps or [])
        self.broker: MosquittoProcess | None = None
        self.ingest: MqttIngest | None = None

    def endpoint(self) -> MqttEndpoint:
        if self.settings.mqtt_url != "embedded":
            return MqttEndpoint.parse(self.settings.mqtt_url)
        port = self.settings.mqtt_port
        files = write_broker_files(Path(self.settings.mqtt_folder), self.registry, port)
        self.broker = MosquittoProcess(files, port).start()
        log.info("embedded Mosquitto on 127.0.0.1:%d (credentials in %s)", port, files.credentials.path)
        return MqttEndpoint("127.0.0.1", port, HUB_USER, files.credentials.passwords[HUB_USER])

    def start(self) -> None:
        self.sink.sync_registry()
        self.ingest = MqttIngest(self.sink, self.endpoint(), periodic=self.housekeeping).start()

    def housekeeping(self) -> None:
        """Every 30 s on the ingest thread: stale sensors, and the みまもり retention."""
        check_stale(self.store, self.registry)
        purge_expired(self.store, self.settings.gate_pass_retention_days)

    def stop(self) -> None:
        if self.ingest is not None:
            self.ingest.stop()
        if self.broker is not None:
            self.broker.stop()

    def status(self) -> dict[str, Any]:
        return {"connected": bool(self.ingest and self.ingest.connected.is_set()),
                "devices": len(self.registry.devices), "batches": self.ingest.batches if self.ingest else 0}


def sensor_feed(settings: Settings, store: Store, taps: Sequence[Tap | None] = ()) -> SensorFeed | None:
    """The MQTT door with its taps (NGSI notifications through the outbox, and any given, such as the
    notification rules), unless switched off."""
    extra = [t for t in taps if t is not None]
    return None if settings.mqtt_url == "off" else SensorFeed(settings, store, [NotificationTap(), *extra])

"""Test helpers for the sensor feeds: devices that publish through the real broker, and a hub-side
rig (store + MQTT ingest) to read back what was stored or quarantined."""

from __future__ import annotations

import json
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from adapters.inbound.mqtt.ingest import MqttEndpoint, MqttIngest
from adapters.inbound.mqtt.mosquitto import HUB_USER, MosquittoProcess
from broker.models import Quarantine
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.models import Reading
from broker.services.sensors.store import ObservationStore
from broker.store import Store
from tests.wait import until


class Device:
    """One simulated device with its own broker login (QoS 1, waits for each PUBACK)."""

    def __init__(self, broker: MosquittoProcess, username: str, password: str | None = None) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"dev-{username}", protocol=mqtt.MQTTv5)
        self.client.username_pw_set(username, password or broker.files.credentials.passwords[username])
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes | dict[str, Any], wait: bool = True) -> mqtt.MQTTMessageInfo:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        info = self.client.publish(topic, body, qos=1)
        if wait:
            info.wait_for_publish(timeout=10)
        return info

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class SensorRig:
    def __init__(self, db_url: str, broker: MosquittoProcess, registry: DeviceRegistry) -> None:
        self.store = Store(db_url, synchronous="NORMAL")
        self.store.migrate()
        self.broker = broker
        self.registry = registry
        self.sink = ObservationStore(self.store, registry)
        self.sink.sync_registry()
        password = broker.files.credentials.passwords[HUB_USER]
        self.ingest = MqttIngest(self.sink, MqttEndpoint(broker.host, broker.port, HUB_USER, password))

    def start(self) -> SensorRig:
        self.ingest.start()
        until(self.ingest.connected.is_set, timeout=10, what="hub connected to the broker")
        return self

    def stop(self) -> None:
        self.ingest.stop()
        self.store.dispose()

    def device(self, device_id: str) -> Device:
        return Device(self.broker, device_id)

    def readings(self, device_id: str | None = None) -> int:
        with self.store.read() as s:
            q = select(func.count()).select_from(Reading)
            if device_id:
                q = q.where(Reading.thing_id == device_id)
            return int(s.execute(q).scalar_one())

    def quarantined(self) -> list[dict[str, Any]]:
        with self.store.read() as s:
            return [{"reason": q.headers.get("reason"), "text": q.reason, "sender": q.sender, "code": q.result_code,
                     "bytes": q.headers.get("bytes")}
                    for q in s.execute(select(Quarantine).where(Quarantine.transport == "mqtt")
                                       .order_by(Quarantine.id)).scalars()]

    def wait_total(self, stored: int, quarantined: int = 0, timeout: float = 20) -> None:
        until(lambda: self.readings() >= stored and len(self.quarantined()) >= quarantined, timeout=timeout,
              what=f"{stored} readings stored and {quarantined} quarantined")

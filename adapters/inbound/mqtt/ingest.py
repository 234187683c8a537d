"""The MQTT door: a paho-mqtt 2 subscriber with a persistent session and manual acknowledgement.

    broker ──PUBLISH(QoS 1)──► on_message ──queue──► batcher thread ──► ObservationStore.write (one txn)
       ▲                                                                     │
       └──────────────────── PUBACK for every reading of the batch ◄────────┘

The session is persistent (MQTT 3.1.1 ``clean_session=False``; the broker keeps it for
``persistent_client_expiration``), so readings published while the hub is down wait in the broker
and arrive when it reconnects. MQTT 3.1.1 rather than 5 because paho builds a properties object for
every MQTT 5 packet, about a sixth of the ingest's time; the broker's ``max_inflight_messages``
(not the client's Receive Maximum) then bounds how many unacknowledged readings it hands over. A reading is
acknowledged only after its batch is committed (stored or quarantined); if the hub dies before that,
the broker delivers it again and the store recognises what it already has.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from broker.services.sensors.store import Incoming, ObservationStore

log = logging.getLogger(__name__)

SUBSCRIPTION = "chipla/+/+/+"


@dataclass(frozen=True)
class MqttEndpoint:
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> MqttEndpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ValueError(f"CHIPLA_MQTT_URL must look like mqtt://user:password@host:1883, not {url!r}")
        return cls(parts.hostname, parts.port or 1883, parts.username, parts.password)


@dataclass
class _Arrived:
    client: mqtt.Client
    message: mqtt.MQTTMessage
    at: float  # monotonic, for the ingest lag


class MqttIngest:
    """Subscribes ``connections`` persistent sessions (a shared subscription when more than one)."""

    def __init__(self, sink: ObservationStore, endpoint: MqttEndpoint, *, client_id: str = "chipla-hub",
                 max_batch: int = 2000, linger_seconds: float = 0.01, connections: int = 1,
                 on_batch: Callable[[int, list[float]], None] | None = None,
                 periodic: Callable[[], object] | None = None, periodic_seconds: float = 30.0) -> None:
        self.sink = sink
        self.endpoint = endpoint
        self.client_id = client_id
        self.max_batch = max_batch
        self.linger = linger_seconds
        self.connections = connections
        self.on_batch = on_batch  # (stored count, arrival times) after each commit; the benchmark's probe
        self.periodic = periodic
        self.periodic_seconds = periodic_seconds
        self._queue: queue.Queue[_Arrived] = queue.Queue()
        self._clients: list[mqtt.Client] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chipla-mqtt-ingest", daemon=True)
        self.connected = threading.Event()
        self.batches = 0

    # -- connections -------------------------------------------------------------------------------
    def start(self) -> MqttIngest:
        topic = SUBSCRIPTION if self.connections == 1 else f"$share/chipla-ingest/{SUBSCRIPTION}"
        for n in range(self.connections):
            cid = self.client_id if self.connections == 1 else f"{self.client_id}-{n}"
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=cid, clean_session=False,
                                 protocol=mqtt.MQTTv311)
            client.manual_ack_set(True)
            if self.endpoint.username:
                client.username_pw_set(self.endpoint.username, self.endpoint.password)
            client.on_connect = self._on_connect(topic)
            client.on_message = self._on_message
            client.reconnect_delay_set(1, 5)
            client.connect_async(self.endpoint.host, self.endpoint.port, keepalive=30)
            client.loop_start()
            self._clients.append(client)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=15)
        for client in self._clients:
            client.disconnect()
            client.loop_stop()
        self._clients.clear()

    def _on_connect(self, topic: str) -> Callable[..., None]:
        def on_connect(client: mqtt.Client, _userdata: object, _flags: object, reason: mqtt.ReasonCode,
                       _props: object) -> None:
            if reason.is_failure:
                log.error("MQTT broker refused the hub: %s", reason)
                return
            client.subscribe(topic, qos=1)
            self.connected.set()
        return on_connect

    def _on_message(self, client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        self._queue.put(_Arrived(client, message, time.monotonic()))

    # -- batches -----------------------------------------------------------------------------------
    def _run(self) -> None:
        next_periodic = time.monotonic() + self.periodic_seconds
        while not self._stopping.is_set():
            batch = self._collect()
            if batch:
                self._commit(batch)
            if self.periodic and time.monotonic() >= next_periodic:
                next_periodic = time.monotonic() + self.periodic_seconds
                try:
                    self.periodic()
                except Exception:
                    log.exception("periodic sensor check failed")

    def _collect(self) -> list[_Arrived]:
        try:
            first = self._queue.get(timeout=0.5)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.linger
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    break
                try:
                    batch.append(self._queue.get(timeout=wait))
                except queue.Empty:
                    break
        return batch

    def _commit(self, batch: list[_Arrived]) -> None:
        incoming = [Incoming(a.message.topic, bytes(a.message.payload), a.message.qos, bool(a.message.dup))
                    for a in batch]
        while not self._stopping.is_set():
            try:
                outcomes = self.sink.write(incoming)
                break
            except Exception:  # store unavailable: keep the batch unacknowledged and try again
                log.exception("storing %d readings failed; retrying", len(batch))
                self._stopping.wait(1.0)
        else:
            return  # stopping: nothing acknowledged, the broker keeps the readings for the next start
        for a in batch:
            if a.message.qos > 0:
                a.client.ack(a.message.mid, a.message.qos)
        self.batches += 1
        if self.on_batch:
            self.on_batch(sum(o.stored for o in outcomes), [a.at for a in batch])

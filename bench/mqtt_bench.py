"""``chipla bench mqtt``: N device processes publish water levels at QoS 1 through a real Mosquitto.

Two numbers from the same run, the same broker and the same readings:

- baseline: a raw paho subscriber (QoS 1, automatic acknowledgement) that only counts what arrives;
- hub: the MQTT door — persistent session, schema validation, ordering, one transaction per batch
  into SQLite (WAL, synchronous=NORMAL as the embedded default's demo), acknowledgement after commit.

Reported: readings per second durably stored (first publish → last commit), the ingest lag per
reading (commit time − the reading's own timestamp, taken at publish) p50/p95, and the hub/baseline
ratio, which is what to compare across machines.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from adapters.inbound.mqtt.ingest import MqttEndpoint, MqttIngest
from adapters.inbound.mqtt.mosquitto import HUB_USER, MosquittoProcess, write_broker_files
from broker.clock import as_jst
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.models import Reading
from broker.services.sensors.store import ObservationStore
from broker.store import Store
from simulators.loopback import free_port


@dataclass(frozen=True)
class MqttBenchResult:
    readings: int
    publishers: int
    raw_per_second: float
    hub_per_second: float
    lag_p50_ms: float
    lag_p95_ms: float
    stored: int
    paced_rate: float = 0.0
    paced_p50_ms: float = 0.0
    paced_p95_ms: float = 0.0


def bench_registry(publishers: int) -> DeviceRegistry:
    return DeviceRegistry.from_document({
        "lgCode": "243035", "sensors": [{"id": "bench", "description": "benchmark gauge"}],
        "devices": [{"id": f"bench-{n:03d}", "family": "water_level", "name": f"bench {n}", "sensor": "bench",
                     "intervalSeconds": 600} for n in range(publishers)]})


def _publish_all(broker: MosquittoProcess, registry: DeviceRegistry, per_device: int, rate: float = 0.0) -> float:
    """Start one process per device, release them together; returns the release time (monotonic)."""
    py = sys.executable
    root = str(Path(__file__).resolve().parents[1])
    procs = []
    for device_id in registry.devices:
        env = {**os.environ, "PYTHONPATH": root,
               "CHIPLA_BENCH_PASSWORD": broker.files.credentials.passwords[device_id]}
        args = [py, "-m", "bench.mqtt_publisher", broker.host, str(broker.port), device_id, str(per_device),
                str(rate / len(registry.devices))]
        procs.append(subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    time.sleep(1.5)  # let every publisher connect before the start signal
    started = time.monotonic()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        p.communicate(timeout=900)
    return started


def _raw(broker: MosquittoProcess, registry: DeviceRegistry, per_device: int) -> float:
    total = per_device * len(registry.devices)
    count = 0
    last = 0.0
    done = threading.Event()

    def on_message(_c: object, _u: object, _m: mqtt.MQTTMessage) -> None:
        nonlocal count, last
        count += 1
        last = time.monotonic()
        if count == total:
            done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-raw", protocol=mqtt.MQTTv311)
    client.username_pw_set(HUB_USER, broker.files.credentials.passwords[HUB_USER])
    client.on_message = on_message
    client.connect(broker.host, broker.port)
    client.subscribe("chipla/+/+/+", qos=1)
    client.loop_start()
    time.sleep(0.5)
    started = _publish_all(broker, registry, per_device)
    done.wait(600)
    client.disconnect()
    client.loop_stop()
    return total / (last - started) if count == total else 0.0


def _hub(broker: MosquittoProcess, registry: DeviceRegistry, per_device: int,
         db_url: str, rate: float = 0.0) -> tuple[float, list[float], int]:
    store = Store(db_url, synchronous="NORMAL")
    store.migrate()
    sink = ObservationStore(store, registry)
    sink.sync_registry()
    total = per_device * len(registry.devices)
    stored = 0
    last_commit = 0.0
    done = threading.Event()

    def on_batch(n: int, _arrivals: list[float]) -> None:
        nonlocal stored, last_commit
        stored += n
        last_commit = time.monotonic()
        if stored >= total:
            done.set()

    ingest = MqttIngest(sink, MqttEndpoint(broker.host, broker.port, HUB_USER,
                                           broker.files.credentials.passwords[HUB_USER]),
                        client_id="bench-hub", on_batch=on_batch).start()
    while not ingest.connected.is_set():
        time.sleep(0.05)
    time.sleep(0.5)
    started = _publish_all(broker, registry, per_device, rate)
    done.wait(600)
    ingest.stop()
    with store.read() as s:
        rows = s.execute(select(Reading.phenomenon_ms, Reading.result_time)).all()
    store.dispose()
    lags = [(as_jst(r.result_time).timestamp() * 1000 - r.phenomenon_ms) for r in rows]
    return (stored / (last_commit - started) if stored else 0.0), lags, stored


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)] if ordered else 0.0


def run(publishers: int = 4, per_device: int = 10_000, paced_rate: float = 1000.0) -> MqttBenchResult:
    """Flat out (throughput, and the lag of a backlog), then paced at ``paced_rate`` readings/s
    (the lag of a hub that keeps up)."""
    registry = bench_registry(publishers)
    with tempfile.TemporaryDirectory(prefix="chipla-bench-mqtt-") as tmp:
        port = free_port()
        broker = MosquittoProcess(write_broker_files(Path(tmp) / "mqtt", registry, port), port).start()
        try:
            raw = _raw(broker, registry, per_device)
            hub, lags, stored = _hub(broker, registry, per_device, f"sqlite:///{tmp}/bench.db")
            paced: list[float] = []
            if paced_rate:
                paced_n = max(1, int(paced_rate * 10 / publishers))  # ten seconds' worth
                _, paced, _ = _hub(broker, registry, paced_n, f"sqlite:///{tmp}/paced.db", paced_rate)
        finally:
            broker.stop()
    return MqttBenchResult(per_device * publishers, publishers, raw, hub,
                           statistics.median(lags) if lags else 0.0, _percentile(lags, 0.95), stored,
                           paced_rate, statistics.median(paced) if paced else 0.0, _percentile(paced, 0.95))


def report(r: MqttBenchResult) -> str:
    ratio = r.hub_per_second / r.raw_per_second if r.raw_per_second else 0.0
    return "\n".join([
        f"chipla bench mqtt — {r.readings:,} readings from {r.publishers} device processes, QoS 1, Mosquitto "
        f"({datetime.now().isoformat(timespec='seconds')})",
        f"  raw paho subscriber (counts only): {r.raw_per_second:10,.0f} readings/s",
        f"  hub, durably stored:               {r.hub_per_second:10,.0f} readings/s   ({r.stored:,} stored)",
        f"  ratio hub / raw:                   {ratio:10.2f}",
        f"  ingest lag (publish → commit):     p50 {r.lag_p50_ms:,.0f} ms, p95 {r.lag_p95_ms:,.0f} ms "
        "(flat out: the backlog's wait)",
        f"  paced at {r.paced_rate:,.0f} readings/s:          p50 {r.paced_p50_ms:,.0f} ms, "
        f"p95 {r.paced_p95_ms:,.0f} ms",
    ])

"""Kill -9 the hub while devices publish: after a restart, every reading the broker acknowledged at
QoS 1 is stored exactly once (the persistent session kept what arrived meanwhile; what was delivered
but not yet acknowledged comes again and is recognised as a duplicate)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from adapters.inbound.mqtt.mosquitto import HUB_USER, MosquittoProcess
from broker.services.sensors.models import Reading
from broker.store import Store
from simulators.loopback import free_port
from tests.sensors.support import Device
from tests.wait import until

TOPIC = "chipla/243035/water_level/wl-karoto-01"
TOTAL = 1500


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "chipla.cli", "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)

    def connected() -> bool:
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            return bool(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()["mqtt"]["connected"])
        except httpx.HTTPError:
            return False

    until(connected, timeout=60, interval=0.1, what="hub connected to the broker")
    return proc


@pytest.mark.slow
def test_hub_killed_while_devices_publish_loses_and_doubles_nothing(tmp_path: Path,
                                                                     mosquitto: MosquittoProcess) -> None:
    db_url = f"sqlite:///{tmp_path / 'hub.db'}"
    password = mosquitto.files.credentials.passwords[HUB_USER]
    env = {**os.environ, "CHIPLA_DB_URL": db_url, "CHIPLA_MQTT_URL":
           f"mqtt://{HUB_USER}:{password}@127.0.0.1:{mosquitto.port}"}
    port = free_port()
    hub = _serve(env, port, tmp_path / "hub.log")
    store = Store(db_url)

    def stored() -> int:
        with store.read() as s:
            return int(s.execute(select(func.count()).select_from(Reading)).scalar_one())

    gauge = Device(mosquitto, "wl-karoto-01")
    accepted: list[int] = []

    def publish() -> None:
        for seq in range(TOTAL):
            minute, second = divmod(seq, 60)
            body = (f'{{"time":"2026-07-01T{10 + minute // 60:02d}:{minute % 60:02d}:{second:02d}+09:00",'
                    f'"seq":{seq},"values":{{"waterLevel":{{"value":{0.3 + seq / 10000:.4f},"unit":"m"}}}}}}')
            gauge.publish(TOPIC, body.encode())  # waits for the broker's PUBACK
            accepted.append(seq)

    publisher = threading.Thread(target=publish)
    publisher.start()
    try:
        until(lambda: stored() >= 200, timeout=30, what="some readings stored before the kill")
        hub.send_signal(signal.SIGKILL)
        hub.wait(timeout=10)
        at_kill = stored()
        until(lambda: len(accepted) >= at_kill + 300, timeout=30, what="readings published while the hub is down")
        hub = _serve(env, port, tmp_path / "hub.log")
        publisher.join(timeout=60)
        assert len(accepted) == TOTAL
        until(lambda: stored() >= TOTAL, timeout=60, what="every accepted reading stored")
        with store.read() as s:
            seqs = list(s.execute(select(Reading.seq).order_by(Reading.seq)).scalars())
        assert seqs == list(range(TOTAL))  # each exactly once
        assert at_kill < TOTAL
    finally:
        gauge.close()
        if hub.poll() is None:
            hub.terminate()
            hub.wait(timeout=15)
        store.dispose()

"""Sensor-feed fixtures: a throw-away Mosquitto (the shipped configuration, ACL and password file
generated from the demo registry) on a free port, and a store with the ingest attached to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.inbound.mqtt.mosquitto import MosquittoProcess, write_broker_files
from broker.services.sensors.devices import DeviceRegistry
from simulators.loopback import free_port
from tests.sensors.support import SensorRig


@pytest.fixture(scope="session")
def device_registry() -> DeviceRegistry:
    return DeviceRegistry.load()


@pytest.fixture
def mosquitto(tmp_path: Path, device_registry: DeviceRegistry) -> Iterator[MosquittoProcess]:
    port = free_port()
    files = write_broker_files(tmp_path / "mqtt", device_registry, port, extra_users=("intruder",))
    broker = MosquittoProcess(files, port).start()
    yield broker
    broker.stop()


@pytest.fixture
def rig(tmp_path: Path, mosquitto: MosquittoProcess, device_registry: DeviceRegistry) -> Iterator[SensorRig]:
    rig = SensorRig(f"sqlite:///{tmp_path / 'hub.db'}", mosquitto, device_registry).start()
    yield rig
    rig.stop()

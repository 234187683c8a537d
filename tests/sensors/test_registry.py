"""The device registry is configuration checked at start, and the broker's ACL is generated from it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from adapters.inbound.mqtt.mosquitto import acl_text, config_text
from broker.services.sensors.devices import DEMO_REGISTRY, DeviceRegistry, RegistryInvalid


def _doc() -> dict[str, Any]:
    return dict(yaml.safe_load(DEMO_REGISTRY.read_text(encoding="utf-8")))


def test_demo_registry_has_every_family_with_oaza_and_wgs84(device_registry: DeviceRegistry) -> None:
    families = {d.family for d in device_registry.devices.values()}
    assert families == {"water_level", "bus_position", "bus_stop_pass", "gate_pass", "paddy", "greenhouse",
                        "eel_pond", "wifi_ap"}
    gauge = device_registry.devices["wl-genroku-01"]
    assert gauge.oaza == "源緑輪中" and gauge.lg_code == "243035"
    assert [name for name, _ in gauge.levels] == ["水防団待機水位", "氾濫注意水位", "避難判断水位", "氾濫危険水位"]
    assert gauge.properties["thresholds"]["source"] == "town-defined"


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["devices"][0].update(lgCode="243036"), "check digit"),
    (lambda d: d["devices"][0].update(location={"lat": 136.78, "lon": 35.05}), "swapped"),
    (lambda d: d["devices"][0].update(oaza="霞が関"), "大字"),
    (lambda d: d["devices"][0].update(family="weather"), "family"),
    (lambda d: d["devices"][0]["thresholds"]["levels"].update(氾濫危険水位=0.5), "increase"),
    (lambda d: d["devices"][0].update(id="a/b"), "id must be"),
    (lambda d: d["devices"].append(copy.deepcopy(d["devices"][0])), "twice"),
    (lambda d: d["gateways"].append({"id": "gw-2", "devices": ["nobody"]}), "unknown"),
    (lambda d: d["gateways"].append({"id": "wl-genroku-01", "devices": ["wl-karoto-01"]}), "id of its own"),
])
def test_bad_registry_fails_at_load_naming_the_device(change: Any, message: str) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(RegistryInvalid, match=message):
        DeviceRegistry.from_document(doc)


def test_acl_lets_each_device_write_only_its_own_topic(device_registry: DeviceRegistry) -> None:
    acl = "\n".join(line for line in acl_text(device_registry).splitlines() if not line.startswith("#"))
    blocks = [b.splitlines() for b in acl.split("\n\n") if b.startswith("user ")]
    by_user = {b[0].removeprefix("user "): b[1:] for b in blocks}
    assert by_user["chipla-hub"] == ["topic read chipla/#"]
    for device in device_registry.devices.values():
        assert by_user[device.id] == [f"topic write chipla/243035/{device.family}/{device.id}"]
    assert by_user["gw-farm-01"] == ["topic write chipla/243035/paddy/paddy-tomitane-01",
                                     "topic write chipla/243035/greenhouse/gh-kenniyu-01",
                                     "topic write chipla/243035/eel_pond/eel-kaminote-01"]


def test_shipped_config_keeps_queued_qos1_messages(tmp_path: Any) -> None:
    text = config_text(tmp_path, 1883)
    settings = dict(line.split(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert int(settings["max_queued_messages"]) >= 100_000  # the default 1000 silently drops readings
    assert settings["persistence"] == "true" and settings["allow_anonymous"] == "false"
    assert settings["acl_file"].endswith("acl") and settings["password_file"].endswith("passwd")


def test_mqtt_config_command_writes_hashed_passwords_and_private_credentials(tmp_path: Any) -> None:
    from chipla.cli import main

    assert main(["mqtt", "config", "--out", str(tmp_path / "m"), "--port", "18830"]) == 0
    credentials = (tmp_path / "m" / "credentials")
    assert credentials.stat().st_mode & 0o077 == 0
    passwords = dict(line.split(":", 1) for line in credentials.read_text().splitlines())
    hashed = (tmp_path / "m" / "passwd").read_text()
    assert set(passwords) >= {"chipla-hub", "wl-genroku-01", "gw-farm-01"}
    assert all(p not in hashed for p in passwords.values())
    assert "listener 18830 127.0.0.1" in (tmp_path / "m" / "mosquitto.conf").read_text()

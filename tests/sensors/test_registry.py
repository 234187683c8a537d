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


def test_shipped_config_keeps_queued_qos1_messages(tmp_path: Any) -> None:
    text = config_text(tmp_path, 1883)
    settings = dict(line.split(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert int(settings["max_queued_messages"]) >= 100_000  # the default 1000 silently drops readings
    assert settings["persistence"] == "true" and settings["allow_anonymous"] == "false"
    assert settings["acl_file"].endswith("acl") and settings["password_file"].endswith("passwd")

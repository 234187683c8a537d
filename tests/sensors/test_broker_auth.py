"""The broker, not only the hub, keeps devices in their lane: a device cannot publish under another
device's topic, and an unknown login is refused at connect."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from adapters.inbound.mqtt.mosquitto import MosquittoProcess
from tests.sensors.support import SensorRig
from tests.wait import until

GAUGE_TOPIC = "chipla/243035/water_level/wl-genroku-01"


def _reading(seq: int) -> dict[str, object]:
    return {"time": f"2026-06-30T14:{seq:02d}:00+09:00", "seq": seq,
            "values": {"waterLevel": {"value": 0.5, "unit": "m"}}}


def test_device_publishing_under_another_devices_topic_is_refused_by_the_broker(rig: SensorRig) -> None:
    intruder = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="intruder", protocol=mqtt.MQTTv5)
    intruder.username_pw_set("wl-karoto-01", rig.broker.files.credentials.passwords["wl-karoto-01"])
    acks: dict[int, int] = {}
    done = threading.Event()

    def on_publish(_c: object, _u: object, mid: int, reason: mqtt.ReasonCode, _p: object) -> None:
        acks[mid] = reason.value
        done.set()

    intruder.on_publish = on_publish
    intruder.connect(rig.broker.host, rig.broker.port)
    intruder.loop_start()
    try:
        info = intruder.publish(GAUGE_TOPIC, b'{"time":"2026-06-30T14:00:00+09:00","seq":1,'
                                             b'"values":{"waterLevel":{"value":9.9,"unit":"m"}}}', qos=1)
        assert done.wait(10)
        assert acks[info.mid] == 0x87  # MQTT 5 PUBACK "Not authorized"
    finally:
        intruder.disconnect()
        intruder.loop_stop()
    owner = rig.device("wl-genroku-01")
    owner.publish(GAUGE_TOPIC, _reading(2))
    owner.close()
    rig.wait_total(1)
    assert rig.readings("wl-genroku-01") == 1  # only the owner's reading arrived
    assert rig.quarantined() == []


def test_wrong_password_is_refused_at_connect(mosquitto: MosquittoProcess) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="guess", protocol=mqtt.MQTTv5)
    client.username_pw_set("wl-genroku-01", "not-the-password")
    result: list[mqtt.ReasonCode] = []
    client.on_connect = lambda _c, _u, _f, reason, _p: result.append(reason)
    client.connect(mosquitto.host, mosquitto.port)
    client.loop_start()
    try:
        until(lambda: result, timeout=10, what="CONNACK")
        assert result[0].is_failure
    finally:
        client.loop_stop()


def test_gateway_publishes_for_its_devices_only(rig: SensorRig) -> None:
    gateway = rig.device("gw-farm-01")
    gateway.publish(GAUGE_TOPIC, _reading(1))  # refused by the broker (not one of its devices)
    gateway.publish("chipla/243035/paddy/paddy-tomitane-01", {
        "time": "2026-06-30T05:00:00+09:00", "seq": 1, "values": {"waterLevel": {"value": 4.5, "unit": "cm"}}})
    gateway.close()
    rig.wait_total(1)
    assert rig.readings("paddy-tomitane-01") == 1 and rig.readings("wl-genroku-01") == 0

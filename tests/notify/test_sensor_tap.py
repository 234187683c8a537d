"""Readings stored by the sensor feed run through the notification rules in the same transaction."""

from __future__ import annotations

import json
from datetime import timedelta

from broker.clock import now
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.store import Incoming, ObservationStore
from chipla.notify import sensor_tap
from simulators.sandbox import RunningHub
from tests.notify.support import GAUGE, subscribe, wait_mail

TOPIC = f"chipla/243035/water_level/{GAUGE}"


def payload(seq: int, level: float, minutes_ago: int) -> bytes:
    at = (now() - timedelta(minutes=minutes_ago)).isoformat(timespec="seconds")
    return json.dumps({"time": at, "seq": seq, "values": {"waterLevel": {"value": level, "unit": "m"}}}).encode()


def test_stored_readings_become_mail(notify_hub: RunningHub) -> None:
    subscribe(notify_hub, "tap@example.jp", [{"kind": "water_gauge", "key": GAUGE}])
    tap = sensor_tap(notify_hub.parts.hub)
    assert tap is not None
    feed = ObservationStore(notify_hub.parts.store, DeviceRegistry.load(None), [tap])
    feed.sync_registry()
    second = payload(2, 1.08, 20)
    outcomes = feed.write([Incoming(TOPIC, payload(1, 0.62, 30)), Incoming(TOPIC, second)])
    assert [o.stored for o in outcomes] == [True, True]
    duplicate = feed.write([Incoming(TOPIC, second, redelivered=True)])  # redelivered after a crash
    assert [o.reason for o in duplicate] == ["duplicate"]
    feed.write([Incoming(TOPIC, payload(3, 1.36, 10))])
    mails = wait_mail(notify_hub, "tap@example.jp", 3)
    assert [str(m["subject"]) for m in mails[1:]] == ["【木曽岬町】加路戸 排水路 氾濫注意水位を超えました",
                                                      "【木曽岬町】加路戸 排水路 避難判断水位を超えました"]

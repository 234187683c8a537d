"""Readings through the real broker into the store: observations with units, threshold events, and
every refusal quarantined with its reason while the ingest keeps running."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from broker.services.sensors.models import Datastream, Observation, Reading, SensorEvent
from tests.sensors.support import SensorRig

GAUGE = "chipla/243035/water_level/wl-genroku-01"


def level(seq: int, value: float, minute: int | None = None) -> dict[str, Any]:
    m = seq if minute is None else minute
    return {"time": f"2026-06-30T14:{m:02d}:00+09:00", "seq": seq, "battery": {"value": 90, "unit": "%"},
            "values": {"waterLevel": {"value": value, "unit": "m"}}}


def test_readings_become_observations_with_units_and_threshold_events(rig: SensorRig) -> None:
    gauge = rig.device("wl-genroku-01")
    for seq, value in enumerate([0.50, 0.85, 1.15, 1.75, 1.20]):
        gauge.publish(GAUGE, level(seq, value))
    gauge.close()
    rig.wait_total(5)
    with rig.store.read() as s:
        units = dict(s.execute(select(Datastream.observed_property, Datastream.unit)
                               .where(Datastream.thing_id == "wl-genroku-01")).tuples().all())
        assert units == {"waterLevel": "m", "battery": "%"}
        results = list(s.execute(select(Observation.result).join(Datastream)
                                 .where(Datastream.observed_property == "waterLevel")
                                 .order_by(Observation.phenomenon_ms)).scalars())
        assert results == [0.50, 0.85, 1.15, 1.75, 1.20]
        original = s.execute(select(Reading.original).where(Reading.seq == 3)).scalar_one()
        assert json.loads(original) == level(3, 1.75)  # kept as sent
        events = [e.detail for e in s.execute(select(SensorEvent).where(SensorEvent.kind == "threshold")
                                              .order_by(SensorEvent.id)).scalars()]
    assert [e["level"] for e in events] == ["水防団待機水位", "氾濫注意水位", "氾濫危険水位", "氾濫注意水位"]
    assert [e["rising"] for e in events] == [True, True, True, False]


def test_hostile_payloads_are_each_quarantined_with_reason_and_ingest_goes_on(rig: SensorRig) -> None:
    gauge = rig.device("wl-genroku-01")
    hostile: list[tuple[bytes, str]] = [
        (b"\x00\xff not json", "malformed"),
        (b"{\"time\": ", "malformed"),
        (b"x" * (10 * 1024 * 1024), "too_large"),
        (b"[" * 20_000 + b"]" * 20_000, "malformed"),
        (json.dumps({"time": "2026-06-30T14:00:00+09:00", "seq": "1",
                     "values": {"waterLevel": {"value": 1, "unit": "m"}}}).encode(), "schema_invalid"),
        (json.dumps({"time": "2026-06-30T14:00:00+09:00", "seq": 1,
                     "values": {"waterLevel": {"value": 1, "unit": "cm"}}}).encode(), "schema_invalid"),
        (b'{"time":"2026-06-30T14:00:00+09:00","seq":1,"values":{"waterLevel":{"value":NaN,"unit":"m"}}}',
         "malformed"),
        (json.dumps(level(1, 1.0) | {"time": "2099-01-01T00:00:00+09:00"}).encode(), "time_in_future"),
        (json.dumps(level(1, 1.0) | {"time": "2026-02-30T14:00:00+09:00"}).encode(), "schema_invalid"),
        (json.dumps(level(1, 1.0) | {"extra": {"a": 1}}).encode(), "schema_invalid"),
    ]
    for payload, _ in hostile:
        gauge.publish(GAUGE, payload)
    gauge.publish(GAUGE, level(5, 0.4))  # a good reading after all that is still stored
    gauge.close()
    rig.wait_total(1, quarantined=len(hostile))
    got = rig.quarantined()
    assert [q["reason"] for q in got] == [reason for _, reason in hostile]
    assert all(q["sender"] == "wl-genroku-01" and q["text"].startswith(q["reason"]) for q in got)
    assert got[2]["bytes"] == 10 * 1024 * 1024
    assert rig.readings("wl-genroku-01") == 1


def test_duplicate_and_out_of_order_readings_are_quarantined_not_stored_twice(rig: SensorRig) -> None:
    gauge = rig.device("wl-genroku-01")
    gauge.publish(GAUGE, level(10, 0.5))
    gauge.publish(GAUGE, level(11, 0.6))
    gauge.publish(GAUGE, level(10, 0.5))  # the same reading again (a device retry)
    gauge.publish(GAUGE, level(9, 0.4))  # older than what is stored, never seen
    gauge.publish(GAUGE, level(12, 0.7))
    gauge.close()
    rig.wait_total(3, quarantined=2)
    assert [q["reason"] for q in rig.quarantined()] == ["duplicate", "out_of_order"]
    assert rig.readings("wl-genroku-01") == 3


def test_unknown_device_topic_is_quarantined(rig: SensorRig) -> None:
    """The hub does not trust the broker's ACL alone: a topic outside the registry is kept aside."""
    from broker.services.sensors.store import Incoming

    outcomes = rig.sink.write([Incoming("chipla/243035/water_level/ghost-01", json.dumps(level(1, 1)).encode()),
                               Incoming("chipla/243035/paddy/wl-genroku-01", json.dumps(level(2, 1)).encode())])
    assert [o.reason for o in outcomes] == ["unknown_device", "unknown_device"]
    assert [q["reason"] for q in rig.quarantined()] == ["unknown_device", "unknown_device"]

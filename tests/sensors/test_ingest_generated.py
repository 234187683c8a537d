"""Generated payloads (hypothesis) sent as a device would, through the broker: each one is either
stored or quarantined with one of the documented reasons, and the ingest keeps running."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sensors.support import SensorRig
from tests.wait import until

TOPIC = "chipla/243035/greenhouse/gh-kenniyu-01"
REASONS = {"malformed", "too_large", "schema_invalid", "time_in_future", "out_of_order", "duplicate"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
times = st.datetimes().map(lambda d: d.isoformat() + "+09:00") | st.text(max_size=30)
near_valid = st.fixed_dictionaries({
    "time": times,
    "seq": st.integers(-5, 2**40) | st.text(max_size=3),
    "values": st.fixed_dictionaries({}, optional={
        "temperature": st.fixed_dictionaries({"value": st.floats() | st.integers(),
                                              "unit": st.sampled_from(["Cel", "K"])}),
        "co2": st.fixed_dictionaries({"value": json_values, "unit": st.just("[ppm]")}),
    }),
}, optional={"battery": st.fixed_dictionaries({"value": st.integers(-10, 200), "unit": st.just("%")}),
             "x": json_values})
payloads = (st.binary(max_size=200)
            | json_values.map(lambda v: json.dumps(v).encode())
            | near_valid.map(lambda v: json.dumps(v).encode()))  # json.dumps writes NaN for float('nan')


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(payloads, min_size=1, max_size=25))
def test_generated_payloads_are_stored_or_quarantined_with_a_reason(rig: SensorRig, batch: list[bytes]) -> None:
    stored_before, quarantined_before = rig.readings(), len(rig.quarantined())
    device = rig.device("gh-kenniyu-01")
    try:
        for payload in batch:
            device.publish(TOPIC, payload)
    finally:
        device.close()
    def accounted() -> int:
        return rig.readings() - stored_before + len(rig.quarantined()) - quarantined_before

    until(lambda: accounted() >= len(batch), timeout=20, what="every payload stored or quarantined")
    new_quarantine = rig.quarantined()[quarantined_before:]
    assert accounted() == len(batch)
    assert {q["reason"] for q in new_quarantine} <= REASONS
    assert all(q["text"] for q in new_quarantine)

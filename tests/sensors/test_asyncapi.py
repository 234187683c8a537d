"""The AsyncAPI document and the ingest agree: the families, the payload schemas the hub compiles,
the examples, and the quarantine reasons it promises."""

from __future__ import annotations

import pytest

from broker.services.sensors import contract, readings
from broker.services.sensors.devices import FAMILIES
from broker.services.sensors.store import RESULT_CODES


def test_families_in_topic_tree_messages_and_code_are_the_same() -> None:
    doc = contract.document()
    channel = doc["channels"]["chipla/{lgCode}/{family}/{deviceId}"]
    assert channel["parameters"]["family"]["schema"]["enum"] == list(FAMILIES)
    assert sorted(m["name"] for m in doc["components"]["messages"].values()) == sorted(FAMILIES)
    assert channel["publish"]["bindings"]["mqtt"]["qos"] == 1


def test_examples_validate_and_every_value_carries_a_ucum_unit() -> None:
    for message in contract.document()["components"]["messages"].values():
        for example in message.get("examples", []):
            contract.validate(message["name"], example["payload"])
    units = {unit for pairs in readings.datastreams().values() for _, unit in pairs}
    assert units == {"m", "cm", "Cel", "%", "km/h", "deg", "mg/L", "[pH]", "[ppm]", "{person}", "{client}"}


def test_every_quarantine_reason_is_documented() -> None:
    text = contract.document()["info"]["description"]
    for reason in RESULT_CODES:
        assert f"`{reason}`" in text


@pytest.mark.parametrize("family", FAMILIES)
def test_a_reading_without_time_is_refused_in_every_family(family: str) -> None:
    with pytest.raises(contract.ReadingRefused) as refused:
        contract.validate(family, {"seq": 1})
    assert refused.value.reason == "schema_invalid"

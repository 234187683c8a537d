"""From wire bytes to a checked reading: size, device, JSON, schema, time — each refusal with its reason.

The datastreams of each family (observed property and UCUM unit) are read from the same contract,
so a property added to ``asyncapi.yaml`` is stored without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from broker.services.sensors import contract
from broker.services.sensors.contract import ReadingRefused
from broker.services.sensors.devices import FAMILIES, Device, DeviceRegistry

MAX_READING_BYTES = 64 * 1024
FUTURE_SKEW = timedelta(minutes=5)  # a device clock may run a little ahead; more is refused
FACT_KEYS = ("routeId", "tripId", "stopId", "event", "tagId", "direction")


@dataclass(frozen=True)
class CheckedReading:
    device: Device
    phenomenon_ms: int
    phenomenon_time: str
    seq: int
    values: dict[str, float]  # observed property → result (battery included as "battery")
    facts: dict[str, Any]


@lru_cache(maxsize=1)
def datastreams() -> dict[str, tuple[tuple[str, str], ...]]:
    """Family → ((observed property, UCUM unit), …) from the contract's payload schemas."""
    doc = contract.document()
    schemas = doc["components"]["schemas"]
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for message in doc["components"]["messages"].values():
        payload = _resolve(schemas, message["payload"])
        props = payload.get("properties", {})
        pairs: list[tuple[str, str]] = []
        values = _resolve(schemas, props.get("values", {})).get("properties", {})
        for name, schema in values.items():
            pairs.append((name, _unit(schemas, schema)))
        if "battery" in props:
            pairs.append(("battery", _unit(schemas, props["battery"])))
        out[message["name"]] = tuple(pairs)
    assert set(out) == set(FAMILIES)
    return out


def _resolve(schemas: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _unit(schemas: dict[str, Any], schema: dict[str, Any]) -> str:
    return str(_resolve(schemas, schema)["properties"]["unit"]["const"])


def check(registry: DeviceRegistry, topic: str, payload: bytes, now: datetime) -> CheckedReading:
    """Everything that needs no database; raises ``ReadingRefused``."""
    if len(payload) > MAX_READING_BYTES:
        raise ReadingRefused("too_large", f"{len(payload)} bytes; a reading may have at most {MAX_READING_BYTES}")
    device = registry.by_topic(topic)
    if device is None:
        raise ReadingRefused("unknown_device", f"no registered device publishes to {topic[:200]!r}")
    body = contract.parse(payload)
    contract.validate(device.family, body)
    try:
        at = datetime.fromisoformat(body["time"])
    except ValueError as exc:
        raise ReadingRefused("schema_invalid", f"time {body['time']!r} is not a date-time: {exc}") from exc
    if at > now + FUTURE_SKEW:
        raise ReadingRefused("time_in_future", f"time {body['time']} is after the hub's clock {now.isoformat()}")
    values = {name: float(v["value"]) for name, v in (body.get("values") or {}).items()}
    if "battery" in body:
        values["battery"] = float(body["battery"]["value"])
    facts = {k: body[k] for k in FACT_KEYS if k in body}
    if "position" in body:
        facts["position"] = {"lat": body["position"]["lat"], "lon": body["position"]["lon"]}
    return CheckedReading(device, round(at.timestamp() * 1000), body["time"], int(body["seq"]), values, facts)

"""Stored observations as NGSI-v2 entities of the Smart Data Models.

- water_level: ``WaterObserved`` (waterLevel, dateObserved, location, refDevice);
- bus_position: ``Vehicle`` (vehicleType bus, location, speed, heading, serviceStatus, observationDateTime);
- every family: ``Device`` (controlledProperty, batteryLevel, deviceState, dateLastValueReported) and one
  ``DeviceMeasurement`` per observed property (numValue, unit, dateObserved, outlier).

Gate passes are personal (a tag is a child): a gate is a ``Device`` but its passes never become
entities. Locations are GeoJSON points written [lon, lat] (RFC 7946; the upstream SDM examples
swap them). Times are UTC ISO 8601, as the SDM schemas describe ``dateObserved``. Units are the
UN/CEFACT common codes SDM asks for, mapped from the UCUM codes of the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ATTR_TYPES = {bool: "Boolean", int: "Number", float: "Number", str: "Text", list: "StructuredValue",
              dict: "StructuredValue"}
# UCUM code (contract) → UN/CEFACT common code (Smart Data Models ``unitCode``)
CEFACT = {"m": "MTR", "cm": "CMT", "Cel": "CEL", "%": "P1", "km/h": "KMH", "deg": "DD", "mg/L": "M1",
          "[ppm]": "59", "{person}": "IE", "{client}": "C62", "[pH]": "C62"}
PERSONAL_FAMILIES = ("gate_pass",)


@dataclass
class Value:
    value: float
    unit: str
    ms: int
    quality: tuple[str, ...] = ()


@dataclass
class DeviceState:
    """What the entities of one device are made of: registry facts and the newest values."""

    lg_code: str
    device_id: str
    family: str
    name: str
    oaza: str | None
    lat: float | None
    lon: float | None
    properties: dict[str, Any]
    values: dict[str, Value] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    last_ms: int | None = None
    stale: bool = False


def entity_id(kind: str, lg_code: str, device_id: str, *more: str) -> str:
    return ":".join(("urn:ngsi-ld", kind, lg_code, device_id, *more))


def utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _attr(value: Any, kind: str | None = None, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": kind or ATTR_TYPES.get(type(value), "Text"), "value": value, "metadata": metadata or {}}


def _point(state: DeviceState) -> dict[str, Any] | None:
    position = state.facts.get("position")
    lat, lon = (position["lat"], position["lon"]) if position else (state.lat, state.lon)
    if lat is None or lon is None:
        return None
    return _attr({"type": "Point", "coordinates": [lon, lat]}, "geo:json")


def _common(state: DeviceState, kind: str, *more: str) -> dict[str, Any]:
    entity: dict[str, Any] = {"id": entity_id(kind, state.lg_code, state.device_id, *more), "type": kind}
    point = _point(state)
    if point:
        entity["location"] = point
    if state.oaza:
        entity["areaServed"] = _attr(state.oaza)
    return entity


def _measured(v: Value, kind: str = "Number") -> dict[str, Any]:
    return _attr(v.value, kind, {"unitCode": _attr(CEFACT.get(v.unit, v.unit), "Text"),
                                 "timestamp": _attr(utc(v.ms), "DateTime")})


def device_entity(state: DeviceState) -> dict[str, Any]:
    e = _common(state, "Device")
    e["name"] = _attr(state.name)
    e["deviceCategory"] = _attr(["sensor"], "StructuredValue")
    e["controlledProperty"] = _attr(sorted(p for p in state.values if p != "battery") or [state.family],
                                    "StructuredValue")
    e["deviceState"] = _attr("stale" if state.stale else "ok")
    if "battery" in state.values:
        e["batteryLevel"] = _attr(round(state.values["battery"].value / 100, 4), "Number")
    if state.last_ms is not None:
        e["dateLastValueReported"] = _attr(utc(state.last_ms), "DateTime")
    return e


def measurement_entities(state: DeviceState) -> list[dict[str, Any]]:
    out = []
    for prop, v in sorted(state.values.items()):
        e = _common(state, "DeviceMeasurement", prop)
        e["controlledProperty"] = _attr(prop)
        e["numValue"] = _attr(v.value, "Number")
        e["unit"] = _attr(CEFACT.get(v.unit, v.unit))
        e["dateObserved"] = _attr(utc(v.ms), "DateTime")
        e["outlier"] = _attr(bool(v.quality), "Boolean")
        e["refDevice"] = _attr(entity_id("Device", state.lg_code, state.device_id), "Text")
        out.append(e)
    return out


def water_observed(state: DeviceState) -> dict[str, Any] | None:
    level = state.values.get("waterLevel")
    if level is None or state.family != "water_level":  # a paddy's level (cm) stays a DeviceMeasurement
        return None
    e = _common(state, "WaterObserved")
    e["name"] = _attr(state.name)
    e["waterLevel"] = _measured(level)
    e["dateObserved"] = _attr(utc(level.ms), "DateTime")
    e["refDevice"] = _attr(entity_id("Device", state.lg_code, state.device_id), "Text")
    return e


def vehicle(state: DeviceState) -> dict[str, Any] | None:
    if "position" not in state.facts or state.last_ms is None:
        return None
    e = _common(state, "Vehicle")
    e["vehicleType"] = _attr("bus")
    e["name"] = _attr(state.name)
    e["serviceStatus"] = _attr("onRoute")
    e["observationDateTime"] = _attr(utc(state.last_ms), "DateTime")
    plate = state.properties.get("vehicle", {}).get("plate")
    if plate:
        e["vehiclePlateIdentifier"] = _attr(plate)
    if "speed" in state.values:
        e["speed"] = _measured(state.values["speed"])
    if "bearing" in state.values:
        e["heading"] = _measured(state.values["bearing"])
    if state.facts.get("routeId"):
        e["refRoute"] = _attr(state.facts["routeId"])
    return e


def entities_of(state: DeviceState) -> list[dict[str, Any]]:
    """Every entity a device shows; gate passes show only the gate itself."""
    out = [device_entity(state)]
    if state.family in PERSONAL_FAMILIES:
        return out
    for made in (water_observed(state), vehicle(state)):
        if made is not None:
            out.append(made)
    return out + measurement_entities(state)


def key_values(entity: dict[str, Any]) -> dict[str, Any]:
    return {k: (v["value"] if isinstance(v, dict) and "value" in v else v) for k, v in entity.items()}

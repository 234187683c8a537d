"""The device registry: which devices exist, where they stand, and what they may publish.

Loaded from YAML configuration at start and checked there (a bad registry stops the hub with the
device and the reason): 団体コード check digit, known family, the 大字 on the town's list, WGS84
coordinates inside Japan (which also catches swapped lat/lon), thresholds strictly increasing.
The same registry generates the broker's ACL, so a device can publish only to its own topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from vocab import lgcode
from vocab.address.oaza import OazaList

DEMO_REGISTRY = Path(__file__).resolve().parent / "kisosaki_devices.yaml"

FAMILIES = ("water_level", "bus_position", "bus_stop_pass", "gate_pass", "paddy", "greenhouse", "eel_pond",
            "wifi_ap")
DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# 基準水位 from low to high; a water-level gauge names any of them, in this order
LEVEL_ORDER = ("水防団待機水位", "氾濫注意水位", "避難判断水位", "氾濫危険水位", "観測開始水位", "氾濫開始水位")


class RegistryInvalid(ValueError):
    """The device registry cannot be used; the message names the device and the reason."""


@dataclass(frozen=True)
class Device:
    id: str
    lg_code: str
    family: str
    name: str
    sensor: str
    oaza: str | None
    lat: float | None
    lon: float | None
    interval_seconds: int
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def topic(self) -> str:
        return f"chipla/{self.lg_code}/{self.family}/{self.id}"

    @cached_property
    def levels(self) -> list[tuple[str, float]]:
        """The gauge's thresholds, low to high (empty for other devices)."""
        levels = self.properties.get("thresholds", {}).get("levels", {})
        return sorted(((str(k), float(v)) for k, v in levels.items()), key=lambda kv: kv[1])


@dataclass(frozen=True)
class SensorModelInfo:
    id: str
    description: str
    encoding_type: str


@dataclass(frozen=True)
class Gateway:
    """One broker login publishing for several devices (e.g. a LoRaWAN or farm gateway)."""

    id: str
    devices: tuple[str, ...]


@dataclass(frozen=True)
class DeviceRegistry:
    devices: dict[str, Device]
    sensors: dict[str, SensorModelInfo]
    gateways: dict[str, Gateway] = field(default_factory=dict)

    def by_topic(self, topic: str) -> Device | None:
        parts = topic.split("/")
        if len(parts) != 4 or parts[0] != "chipla":
            return None
        device = self.devices.get(parts[3])
        if device is None or device.topic != topic:
            return None
        return device

    @classmethod
    def load(cls, source: str | Path | None = None, oaza: OazaList | None = None) -> DeviceRegistry:
        path = Path(source) if source else DEMO_REGISTRY
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise RegistryInvalid(f"{path}: {exc}") from exc
        return cls.from_document(doc, oaza, where=str(path))

    @classmethod
    def from_document(cls, doc: Any, oaza: OazaList | None = None, where: str = "registry") -> DeviceRegistry:
        if not isinstance(doc, dict):
            raise RegistryInvalid(f"{where}: expected a mapping with lgCode, sensors and devices")
        default_lg = str(doc.get("lgCode", ""))
        sensors = {}
        for s in doc.get("sensors") or []:
            sensors[str(s["id"])] = SensorModelInfo(str(s["id"]), str(s.get("description", "")),
                                                   str(s.get("encodingType", "text/plain")))
        towns = oaza if oaza is not None else OazaList.load()
        devices: dict[str, Device] = {}
        for raw in doc.get("devices") or []:
            device = _device(raw, default_lg, sensors, towns, where)
            if device.id in devices:
                raise RegistryInvalid(f"{where}: device {device.id} is listed twice")
            devices[device.id] = device
        return cls(devices, sensors, _gateways(doc.get("gateways") or [], devices, where))


def _device(raw: dict[str, Any], default_lg: str, sensors: dict[str, SensorModelInfo], towns: OazaList,
            where: str) -> Device:
    device_id = str(raw.get("id", ""))
    at = f"{where}: device {device_id or '?'}"
    if not DEVICE_ID.fullmatch(device_id):
        raise RegistryInvalid(f"{at}: id must be 1-64 letters, digits, '-' or '_'")
    lg = str(raw.get("lgCode", default_lg))
    if not lgcode.is_valid(lg):
        raise RegistryInvalid(f"{at}: 団体コード {lg!r} has a wrong check digit or is not 6 digits")
    family = str(raw.get("family", ""))
    if family not in FAMILIES:
        raise RegistryInvalid(f"{at}: family {family!r} is not one of {', '.join(FAMILIES)}")
    sensor = str(raw.get("sensor", ""))
    if sensor not in sensors:
        raise RegistryInvalid(f"{at}: sensor model {sensor!r} is not listed under sensors")
    oaza_name = raw.get("oaza")
    if oaza_name is not None and towns.find(str(oaza_name)) is None:
        raise RegistryInvalid(f"{at}: 大字 {oaza_name!r} is not on the town's list")
    loc = raw.get("location") or {}
    lat, lon = loc.get("lat"), loc.get("lon")
    if lat is not None and lon is not None:
        lat, lon = float(lat), float(lon)
        if not (20 <= lat <= 46 and 122 <= lon <= 154):
            raise RegistryInvalid(f"{at}: location ({lat}, {lon}) is outside Japan (lat 20–46, lon 122–154); "
                                  "are lat and lon swapped?")
    interval = int(raw.get("intervalSeconds", 600))
    if interval <= 0:
        raise RegistryInvalid(f"{at}: intervalSeconds must be positive")
    props = {k: v for k, v in raw.items()
             if k not in ("id", "lgCode", "family", "name", "sensor", "oaza", "location", "intervalSeconds")}
    levels = (props.get("thresholds") or {}).get("levels") or {}
    _check_levels(at, levels)
    return Device(device_id, lg, family, str(raw.get("name", device_id)), sensor,
                  str(oaza_name) if oaza_name is not None else None, lat, lon, interval, props)


def _gateways(raw: list[Any], devices: dict[str, Device], where: str) -> dict[str, Gateway]:
    out: dict[str, Gateway] = {}
    for g in raw:
        gid = str(g.get("id", "")) if isinstance(g, dict) else ""
        if not DEVICE_ID.fullmatch(gid) or gid in devices or gid in out:
            raise RegistryInvalid(f"{where}: gateway {gid or '?'} needs an id of its own "
                                  "(1-64 letters, digits, '-' or '_')")
        members = tuple(str(d) for d in g.get("devices") or [])
        unknown = [d for d in members if d not in devices]
        if not members or unknown:
            raise RegistryInvalid(f"{where}: gateway {gid} lists no devices or unknown ones: {unknown}")
        out[gid] = Gateway(gid, members)
    return out


def _check_levels(at: str, levels: dict[str, Any]) -> None:
    unknown = [name for name in levels if name not in LEVEL_ORDER]
    if unknown:
        raise RegistryInvalid(f"{at}: unknown threshold names {unknown}; use {', '.join(LEVEL_ORDER)}")
    ordered = [float(levels[name]) for name in LEVEL_ORDER[:4] if name in levels]
    if any(b <= a for a, b in zip(ordered, ordered[1:], strict=False)):
        raise RegistryInvalid(f"{at}: thresholds must increase from 水防団待機水位 to 氾濫危険水位")

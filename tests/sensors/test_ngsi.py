"""The NGSI-v2 API as an Orion client sees it (plain httpx, Orion's documented behaviour): entities
of the Smart Data Models made from stored observations, paging and counting, the simple query
language, tenant isolation by Fiware-Service = 団体コード."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from adapters.outbound.ngsi.subscriptions import NotificationTap
from broker.services.sensors.devices import DEMO_REGISTRY, DeviceRegistry
from broker.services.sensors.store import Incoming, ObservationStore
from simulators.sandbox import RunningHub, sqlite_url, start_hub
from tests.sensors import sdm

OTHER = "131016"  # 千代田区, a second tenant on the same hub


def registry_with_two_towns() -> DeviceRegistry:
    doc = yaml.safe_load(DEMO_REGISTRY.read_text(encoding="utf-8"))
    doc["devices"].append({"id": "wl-chiyoda-01", "lgCode": OTHER, "family": "water_level", "name": "千代田 水位計",
                           "sensor": "wl-radar-1", "location": {"lat": 35.69, "lon": 139.75}, "intervalSeconds": 600})
    return DeviceRegistry.from_document(doc)


def level(device: str, lg: str, seq: int, value: float) -> Incoming:
    return Incoming(f"chipla/{lg}/water_level/{device}", json.dumps({
        "time": f"2026-06-30T14:{seq:02d}:00+09:00", "seq": seq, "battery": {"value": 80, "unit": "%"},
        "values": {"waterLevel": {"value": value, "unit": "m"}}}).encode())


class Cloud:
    def __init__(self, hub: RunningHub, sink: ObservationStore) -> None:
        self.hub, self.sink = hub, sink
        hub.parts.registry.upsert_system({"id": "toshi-os", "name": "都市OS", "lgCode": "243035",
                                          "apiKey": "kisosaki-cloud-key-000", "allow": ["ngsi/*"]})
        hub.parts.registry.upsert_system({"id": "other-os", "name": "other town", "lgCode": OTHER,
                                          "apiKey": "other-cloud-key-0000", "allow": ["ngsi/*"]})
        self.http = httpx.Client(base_url=f"{hub.url}/ngsi/v2", timeout=10,
                                 headers={"X-Auth-Token": "kisosaki-cloud-key-000", "Fiware-Service": "243035"})

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params)


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    """One hub for the module: the tests only read (and subscriptions are tested elsewhere)."""
    hub = start_hub(sqlite_url(tmp_path_factory.mktemp("ngsi")))
    sink = ObservationStore(hub.parts.store, registry_with_two_towns(), [NotificationTap()])
    sink.sync_registry()
    outcomes = sink.write([level("wl-genroku-01", "243035", 1, 0.6), level("wl-genroku-01", "243035", 2, 1.25),
                           level("wl-karoto-01", "243035", 1, 0.4), level("wl-chiyoda-01", OTHER, 1, 2.0),
                           Incoming("chipla/243035/bus_position/bus-01-gps", json.dumps({
                               "time": "2026-06-30T08:00:00+09:00", "seq": 1,
                               "position": {"lat": 35.0731, "lon": 136.7789}, "routeId": "kita",
                               "values": {"speed": {"value": 28.5, "unit": "km/h"}}}).encode()),
                           Incoming("chipla/243035/gate_pass/gate-school-01", json.dumps({
                               "time": "2026-06-30T07:40:00+09:00", "seq": 1, "tagId": "00112233aabbccdd",
                               "direction": "in"}).encode())])
    assert all(o.stored for o in outcomes)
    c = Cloud(hub, sink)
    yield c
    c.http.close()
    hub.stop()


def test_water_observed_entities_key_values_and_query(cloud: Cloud) -> None:
    r = cloud.get("/entities", type="WaterObserved", options="keyValues,count")
    assert r.status_code == 200 and r.headers["Fiware-Total-Count"] == "2"
    by_id = {e["id"]: e for e in r.json()}
    genroku = by_id["urn:ngsi-ld:WaterObserved:243035:wl-genroku-01"]
    assert genroku["waterLevel"] == 1.25 and genroku["dateObserved"] == "2026-06-30T05:02:00.000Z"
    assert genroku["location"] == {"type": "Point", "coordinates": [136.7802, 35.0571]}  # [lon, lat]
    assert genroku["areaServed"] == "源緑輪中"
    high = cloud.get("/entities", type="WaterObserved", q="waterLevel>1.0", options="keyValues").json()
    assert [e["id"] for e in high] == ["urn:ngsi-ld:WaterObserved:243035:wl-genroku-01"]
    ranged = cloud.get("/entities", type="WaterObserved", q="waterLevel==0.3..0.5;areaServed=='加路戸'").json()
    assert [e["id"] for e in ranged] == ["urn:ngsi-ld:WaterObserved:243035:wl-karoto-01"]
    normalized = cloud.get("/entities/urn:ngsi-ld:WaterObserved:243035:wl-genroku-01",
                           attrs="waterLevel").json()
    assert set(normalized) == {"id", "type", "waterLevel"}
    assert normalized["waterLevel"]["type"] == "Number"
    assert normalized["waterLevel"]["metadata"]["unitCode"]["value"] == "MTR"


def test_paging_counts_and_orion_errors(cloud: Cloud) -> None:
    everything = cloud.get("/entities", options="count", limit=1000)
    total = int(everything.headers["Fiware-Total-Count"])
    pages = [cloud.get("/entities", limit=3, offset=o).json() for o in range(0, total, 3)]
    assert [e["id"] for p in pages for e in p] == [e["id"] for e in everything.json()]
    assert cloud.get("/entities", limit=0).json()["error"] == "BadRequest"
    missing = cloud.get("/entities/urn:ngsi-ld:WaterObserved:243035:nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "NotFound"
    assert cloud.get("/entities", q="waterLevel>>").status_code == 400


def test_gate_passes_never_become_entities(cloud: Cloud) -> None:
    body = json.dumps(cloud.get("/entities", limit=1000).json())
    assert "00112233aabbccdd" not in body and "tagId" not in body
    gates = cloud.get("/entities", idPattern=".*gate-school-01.*", limit=1000).json()
    assert [e["type"] for e in gates] == ["Device"]


def test_tenant_isolation_by_fiware_service(cloud: Cloud) -> None:
    ours = {e["id"] for e in cloud.get("/entities", limit=1000).json()}
    assert ours and not any(OTHER in i for i in ours)
    foreign = cloud.http.get("/entities", headers={"Fiware-Service": OTHER})
    assert foreign.status_code == 403
    theirs = httpx.get(f"{cloud.hub.url}/ngsi/v2/entities", params={"type": "WaterObserved"},
                       headers={"X-Auth-Token": "other-cloud-key-0000", "Fiware-Service": OTHER}).json()
    assert [e["id"] for e in theirs] == [f"urn:ngsi-ld:WaterObserved:{OTHER}:wl-chiyoda-01"]
    assert cloud.http.get("/entities", headers={"Fiware-Service": ""}).status_code == 400
    assert cloud.http.get("/entities", headers={"Fiware-Service": "243036"}).status_code == 400
    assert httpx.get(f"{cloud.hub.url}/ngsi/v2/entities", headers={"Fiware-Service": "243035"}).status_code == 401


@pytest.mark.parametrize("model", ["WaterObserved", "Device", "DeviceMeasurement"])
def test_entities_validate_against_the_smart_data_models_schema(cloud: Cloud, model: str) -> None:
    check = sdm.validator(model)
    found = cloud.get("/entities", type=model, options="keyValues", limit=1000).json()
    assert found
    for entity in found:
        errors = [e.message for e in check.iter_errors(entity)]
        assert errors == [], (entity["id"], errors)
        if "location" in entity:
            lon, lat = entity["location"]["coordinates"]
            assert 122 <= lon <= 154 and 20 <= lat <= 46


def test_vehicle_entity_for_the_bus(cloud: Cloud) -> None:
    [bus] = cloud.get("/entities", type="Vehicle", options="keyValues").json()
    assert bus["vehicleType"] == "bus" and bus["location"]["coordinates"] == [136.7789, 35.0731]
    assert bus["speed"] == 28.5 and bus["refRoute"] == "kita"

"""NGSI-v2 subscriptions: notifications leave through the outbox, so a subscriber that is down gets
every notification, in order, when it is back (Orion would have dropped them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.outbound.ngsi.subscriptions import NotificationTap
from broker.models import Delivery, Message
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.store import Incoming, ObservationStore
from simulators.loopback import LoopbackServer
from simulators.sandbox import RunningHub, sqlite_url, start_hub
from tests.wait import until

GAUGE = "urn:ngsi-ld:WaterObserved:243035:wl-genroku-01"


class Subscriber:
    def __init__(self) -> None:
        self.down = True
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []

        async def notify(request: Request) -> Response:
            if self.down:
                return JSONResponse({"error": "down"}, status_code=503)
            self.received.append((dict(request.headers), await request.json()))
            return Response(status_code=204)

        self.server = LoopbackServer(Starlette(routes=[Route("/notify", notify, methods=["POST"])]),
                                     lifespan="off").start()


def reading(seq: int, value: float) -> Incoming:
    return Incoming("chipla/243035/water_level/wl-genroku-01", json.dumps({
        "time": f"2026-06-30T15:{seq:02d}:00+09:00", "seq": seq,
        "values": {"waterLevel": {"value": value, "unit": "m"}}}).encode())


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = start_hub(sqlite_url(tmp_path), max_attempts=200, retry_cap=0.3)
    running.parts.registry.upsert_system({"id": "toshi-os", "name": "都市OS", "lgCode": "243035",
                                          "apiKey": "kisosaki-cloud-key-000", "allow": ["ngsi/*"]})
    yield running
    running.stop()


def test_notifications_survive_a_down_subscriber_and_stop_after_delete(hub: RunningHub,
                                                                       device_registry: DeviceRegistry) -> None:
    subscriber = Subscriber()
    api = httpx.Client(base_url=f"{hub.url}/ngsi/v2", timeout=10,
                       headers={"X-Auth-Token": "kisosaki-cloud-key-000", "Fiware-Service": "243035"})
    created = api.post("/subscriptions", json={
        "description": "源緑輪中の水位",
        "subject": {"entities": [{"idPattern": ".*wl-genroku-01", "type": "WaterObserved"}],
                    "condition": {"attrs": ["waterLevel"]}},
        "notification": {"http": {"url": f"{subscriber.server.url}/notify"}, "attrs": ["waterLevel", "dateObserved"],
                         "attrsFormat": "keyValues"}})
    assert created.status_code == 201
    sub_id = created.headers["Location"].rsplit("/", 1)[-1]
    listed = api.get("/subscriptions", params={"options": "count"})
    assert listed.headers["Fiware-Total-Count"] == "1" and listed.json()[0]["id"] == sub_id
    assert api.post("/subscriptions", json={"subject": {"entities": []}}).json()["error"] == "BadRequest"

    sink = ObservationStore(hub.parts.store, device_registry, [NotificationTap()])
    sink.write([reading(1, 0.9), reading(2, 1.2)])
    sink.write([reading(3, 1.5)])

    def failed_attempts() -> int:
        with hub.parts.store.read() as s:
            return int(s.execute(select(func.count()).select_from(Delivery)
                                 .where(Delivery.last_error.is_not(None))).scalar_one())

    until(lambda: failed_attempts() >= 1, timeout=20, what="a failed notification attempt")
    subscriber.down = False
    until(lambda: len(subscriber.received) >= 3, timeout=30, what="three notifications after recovery")
    bodies = [b for _, b in subscriber.received]
    assert [b["data"][0]["waterLevel"] for b in bodies] == [0.9, 1.2, 1.5]  # in order, none lost
    assert all(b["subscriptionId"] == sub_id and set(b["data"][0]) == {"id", "type", "waterLevel", "dateObserved"}
               and b["data"][0]["id"] == GAUGE for b in bodies)
    headers = subscriber.received[0][0]
    assert headers["fiware-service"] == "243035" and headers["ngsiv2-attrsformat"] == "keyValues"

    assert api.delete(f"/subscriptions/{sub_id}").status_code == 204
    assert api.get(f"/subscriptions/{sub_id}").status_code == 404

    def ngsi_messages() -> int:
        with hub.parts.store.read() as s:
            return int(s.execute(select(func.count()).select_from(Message)
                                 .where(Message.service == "ngsi")).scalar_one())

    before = ngsi_messages()
    sink.write([reading(4, 1.6)])
    assert ngsi_messages() == before
    api.close()
    subscriber.server.stop()

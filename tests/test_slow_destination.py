"""A slow destination holds only its own deliveries: a real receiver that does not answer until it is
released must not keep the other subscribers from getting every change, and once released it gets
its own, in order, each once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.loopback import LoopbackServer
from simulators.receiver import Inbox, receiver_app
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub, sqlite_url, start_hub
from tests.wait import inbox_holds, until


class HeldReceiver:
    """An ASGI wrapper that keeps every SOAP delivery waiting until ``release``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gate = threading.Event()
        self.waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/soap/jumin":
            self.waiting += 1
            while not self.gate.is_set():
                await anyio.sleep(0.02)
        await self.app(scope, receive, send)

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def hub_with_slow_zei(tmp_path: Path) -> Iterator[tuple[RunningHub, HeldReceiver, Inbox]]:
    hub = start_hub(sqlite_url(tmp_path), max_attempts=1000, retry_cap=0.2)
    zei = hub.receivers["zei"]
    app, inbox = receiver_app("zei", zei.username, zei.password)
    held = HeldReceiver(app)
    server = LoopbackServer(held, lifespan="off").start()
    entry = hub.parts.registry.system("zei")
    hub.parts.registry.upsert_system({"id": "zei", "name": "個人住民税システム", "lgCode": entry.lg_code,
                                      "wssUsername": zei.username, "wssPassword": zei.password,
                                      "deliveryKind": "soap", "endpointUrl": f"{server.url}/soap/jumin",
                                      "allow": ["jumin/JuminShokai"]})
    yield hub, held, inbox
    held.release()
    server.stop()
    hub.stop()


def test_a_held_destination_does_not_hold_the_others(
        hub_with_slow_zei: tuple[RunningHub, HeldReceiver, Inbox]) -> None:
    hub, held, zei_inbox = hub_with_slow_zei
    town = SampleTown(seed=7)
    sender = JukiSender(hub.url, "juki", hub.juki_password)
    sent = [sender.send(header("juki"), town.next_ido()) for _ in range(12)]
    assert all(r["result"]["code"] == "0000" for r in sent)
    for rid in ("kokuho", "kaigo"):
        until(inbox_holds(hub.receivers[rid].inbox, 12), what=f"all 12 at {rid} while zei is held")
    until(lambda: held.waiting >= 1, what="zei called and held")
    assert zei_inbox.items == [] and hub.receivers["zei"].inbox.items == []
    held.release()
    until(lambda: len(zei_inbox.items) == 12, what="zei gets its 12 once released")
    assert all(n == 1 for n in zei_inbox.seen.values())
    order = [x["correlationId"] for x in zei_inbox.items]
    kokuho_order = [x["correlationId"] for x in hub.receivers["kokuho"].inbox.items]
    by_resident: dict[str, list[str]] = {}
    for x in hub.receivers["kokuho"].inbox.items:
        by_resident.setdefault(x["atenaNo"], []).append(x["correlationId"])
    for ids in by_resident.values():  # one resident's changes in accept order at the slow one too
        assert [i for i in order if i in ids] == ids
    assert sorted(order) == sorted(kokuho_order)

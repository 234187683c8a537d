"""The console's queries on both stores: migration 0004, search filters, detail, dashboards."""

from __future__ import annotations

import re

from broker.operators import OperatorStore
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.console.helpers import csrf_of, sign_in
from tests.support import RunningHub
from tests.wait import until


def test_console_pages_on_sqlite_and_postgresql(hub_any_db: RunningHub) -> None:
    hub = hub_any_db
    ido = SampleTown(seed=8).tennyu()
    receipt = JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), ido)["receiptId"]
    until(lambda: all(len(r.inbox.items) == 1 for r in hub.receivers.values()), what="delivered everywhere")
    OperatorStore(hub.parts.store).add("etsuran", "viewer password 1", "viewer")
    viewer = sign_in(hub, "etsuran", "viewer password 1")
    token = csrf_of(viewer.get("/console/messages").text)
    for form in ({"subject_key": ido["jumin"]["shikibetsu"]["atenaNo"]}, {"sender": "juki", "status": "delivered"},
                 {"destination": "zei", "since": "2000-01-01T00:00", "until": "2999-01-01T00:00"},
                 {"service": "jumin", "operation": "IdoTsuchi", "message_id": "", "receipt_id": receipt}):
        page = viewer.post("/console/messages", data={"csrf": token, **form}).text
        assert re.findall(r'href="/console/messages/([0-9a-f-]{36})"', page) == [receipt], form
    assert viewer.post("/console/messages", data={"csrf": token, "status": "dead_letter"}).text.count(receipt) == 0
    detail = viewer.get(f"/console/messages/{receipt}").text
    assert "zei — <span class=\"st-delivered\">配信済み</span>" in detail
    for path in ("/console/", "/console/sensors", "/console/kpi", "/console/messages?kind=quarantine"):
        assert viewer.get(path).status_code == 200, path

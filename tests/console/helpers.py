"""Console test helpers: people of each role, a signed-in HTTP client, traffic that leaves a dead
letter and a quarantined message behind."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from broker.models import Delivery, Quarantine
from broker.operators import OperatorStore
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub, raw_soap
from tests.wait import until

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class People:
    viewer: tuple[str, str]
    operator: tuple[str, str]
    admin: tuple[str, str]


def add_people(hub: RunningHub) -> People:
    ops = OperatorStore(hub.parts.store)
    viewer = ("etsuran", secrets.token_urlsafe(15))
    operator = ("unyou", secrets.token_urlsafe(15))
    ops.add(*viewer, "viewer", display_name="閲覧 太郎")
    ops.add(*operator, "operator", display_name="運用 花子")
    return People(viewer, operator, (hub.console_user, hub.console_password))


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "every console page with a form carries a CSRF token"
    return found.group(1)


def sign_in(hub: RunningHub, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=hub.url, follow_redirects=False, timeout=30)
    token = csrf_of(client.get("/console/login").text)
    answer = client.post("/console/login", data={"csrf": token, "username": username, "password": password})
    assert answer.status_code == 303, answer.text
    return client


@dataclass
class Traffic:
    resident: dict[str, Any]  # the resident whose 転入 became a dead letter for kaigo
    receipt_id: str
    quarantine_id: int
    bad_value: str


def dead_letter_and_quarantine(hub: RunningHub) -> Traffic:
    """A 転入 that kaigo (down) never receives, and a 転入 refused for its 性別 code."""
    kaigo = hub.receivers["kaigo"]
    kaigo.control(down=True)
    town = SampleTown(seed=1515)
    ido = town.tennyu()
    answer = JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), ido)
    until(lambda: _count(hub, Delivery, Delivery.status == "dead") == 1, what="one dead letter")
    kaigo.control(down=False)
    bad = town.tennyu()
    bad["jumin"]["zokusei"]["seibetsu"] = "7"
    body = raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": bad}, "juki",
                    hub.juki_password)
    refused = httpx.post(f"{hub.url}/soap/jumin", content=body, headers={"Content-Type": "text/xml"}, timeout=30)
    assert refused.status_code == 500 and b"Fault" in refused.content
    until(lambda: _count(hub, Quarantine) == 1, what="the refused 転入 quarantined")
    with hub.parts.store.read() as s:
        qid = s.execute(select(Quarantine.id)).scalar_one()
    return Traffic(ido["jumin"], answer["receiptId"], int(qid), "7")


def _count(hub: RunningHub, model: Any, *where: Any) -> int:
    with hub.parts.store.read() as s:
        return int(s.execute(select(func.count()).select_from(model).where(*where)).scalar_one())

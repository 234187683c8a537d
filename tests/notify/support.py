"""Helpers for the notification tests: a running hub whose mail goes to its embedded SMTP sink, and
subscribers made the way residents make them (form → confirmation mail → link)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from adapters.outbound.mail.sink import MailSink
from broker.clock import JST
from broker.clock import now as clock_now
from broker.services.notify.events import Reading
from broker.services.notify.service import NotifyService
from chipla.notify import runtime_of
from simulators.sandbox import LG, RunningHub

GAUGE = "wl-karoto-01"  # thresholds 0.70 / 1.00 / 1.30 / 1.60 m in the town's rules


def service(hub: RunningHub) -> NotifyService:
    runtime = runtime_of(hub.parts.hub)
    assert runtime is not None
    return runtime.service


def sink(hub: RunningHub) -> MailSink:
    runtime = runtime_of(hub.parts.hub)
    assert runtime is not None and runtime.sink is not None
    return runtime.sink


def body_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(mail: EmailMessage, path: str) -> str:
    found = re.search(rf"https?://\S+{re.escape(path)}\?token=[A-Za-z0-9_.-]+", body_text(mail))
    assert found, body_text(mail)
    return found.group(0)


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def by_notice(mails: list[EmailMessage]) -> list[EmailMessage]:
    """In the order the notices were made (deliveries run in parallel, so arrival order may differ)."""
    return sorted(mails, key=lambda m: int(str(m["X-Chipla-Notice"])))


def wait_mail(hub: RunningHub, address: str, count: int, timeout: float = 30.0) -> list[EmailMessage]:
    s = sink(hub)
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = s.to(address)
        if len(mails) >= count:
            return by_notice(mails)
        s.wait_for(len(s.received) + 1, timeout=0.2)
    return by_notice(s.to(address))


def subscribe(hub: RunningHub, address: str, topics: list[dict[str, str]]) -> None:
    """Through the public REST form, then the confirmation link, as a resident does."""
    before = len(sink(hub).to(address))
    r = httpx.post(f"{hub.url}/api/v1/notify/subscriptions",
                   json={"lgCode": LG, "email": address, "topics": topics}, timeout=10)
    assert r.status_code == 202, r.text
    mails = wait_mail(hub, address, before + 1)
    assert len(mails) == before + 1, f"no confirmation mail for {address}"
    link = link_in(mails[-1], "/api/v1/notify/confirm")
    r = httpx.post(f"{hub.url}/api/v1/notify/confirm", params={"token": token_of(link)}, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "active", r.text


def at(hh: int, mm: int = 0, day: int = 0) -> datetime:
    """A time on a day after tomorrow (JST): held mail then really waits, whatever the real clock says."""
    today = clock_now().date()
    return datetime(today.year, today.month, today.day, hh, mm, tzinfo=JST) + timedelta(days=2 + day)


def water(level: float, when: datetime, gauge: str = GAUGE) -> Reading:
    return Reading(LG, gauge, "water_level", when, {"waterLevel": level})


def mails_with(hub: RunningHub, address: str, words: str) -> list[EmailMessage]:
    return [m for m in sink(hub).to(address) if words in str(m["subject"])]


def admin(hub: RunningHub) -> dict[str, Any]:
    return {"X-API-Key": hub.admin_key}

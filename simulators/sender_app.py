"""The simulated 住民記録 system as a sender under test: ``POST /trigger`` makes it send 住民異動通知.

The conformance kit judges a sender by asking it to deliver to the kit's own endpoint (the trigger
convention of conformance/README.md: ``{"target": "<kit>/soap/jumin", "count": n}``). This app is
that sender for the hub's self-test. It sends with :class:`~simulators.sender.JukiSender`, the
same zeep stack the demo uses against the hub, so the kit judges what a WSDL-driven client really puts
on the wire rather than hand-written XML.

Notices come in pairs about one resident (転入, then 転居 a day later) so that the kit can check the
per-resident order. Sending runs in a background thread after the 202 answer, as the convention
allows. The app posts to whatever URL it is given: start it on loopback only.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulators.samples import LG_CODE, Person, SampleTown, header
from simulators.sender import JukiSender

log = logging.getLogger(__name__)

ENDPOINT_SUFFIX = "/soap/jumin"
MAX_COUNT = 1000


@dataclass
class SendLog:
    """What the sender did per trigger, so a test or an operator can see why a delivery is missing."""

    sent: int = 0
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.sent += 1
            else:
                self.failed.append(error)


def moved(town: SampleTown, person: Person, day: date) -> dict[str, Any]:
    """A 転居 of a known resident within the town, after their 転入."""
    person.oaza, person.banchi = town.rng.choice(town.oaza), str(town.rng.randrange(1, 2400))
    return {"idoJiyu": "30", "idoDate": day.isoformat(), "todokedeDate": day.isoformat(),
            "jumin": town.record(person, "30", day)}


def notices(count: int, town: SampleTown | None = None) -> list[dict[str, Any]]:
    """``count`` 異動 in pairs per resident, oldest first, with 宛名番号 fresh for each trigger."""
    town = town or SampleTown(seed=secrets.randbelow(10**6), start_atena=10**11 + secrets.randbelow(10**11))
    out: list[dict[str, Any]] = []
    while len(out) < count:
        out.append(town.tennyu())
        if len(out) < count:
            out.append(moved(town, town.people[-1], town.day + timedelta(days=1)))
        town.day += timedelta(days=2)
    return out


def _hub_url(target: str) -> str:
    """JukiSender takes the base URL; the convention's target is always ``<base>/soap/jumin``."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.endswith(ENDPOINT_SUFFIX):
        raise ValueError(f"target must be an http(s) URL ending in {ENDPOINT_SUFFIX}: {target!r}")
    return target[: -len(ENDPOINT_SUFFIX)]


def deliver(target: str, count: int, username: str, password: str, sender_id: str, lg_code: str,
            log_to: SendLog) -> None:
    """Send one notice after the other: per-resident order holds only if the sender waits for each ack."""
    try:
        client = JukiSender(_hub_url(target), username, password)
    except Exception as exc:  # a sender that cannot read the WSDL sends nothing; say why
        log.warning("cannot load the WSDL of %s: %s", target, exc)
        log_to.record(f"wsdl: {exc}")
        return
    for ido in notices(count):
        try:
            client.send(header(sender_id, lg_code), ido)
            log_to.record(None)
        except Exception as exc:  # a Fault or a refused connection: a sender moves on to the next
            log.info("notice to %s refused: %s", target, exc)
            log_to.record(str(exc))


def sender_app(username: str, password: str, *, sender_id: str = "juki",
               lg_code: str = LG_CODE) -> tuple[Starlette, SendLog]:
    """The trigger endpoint, with the credentials the sender uses towards any target."""
    send_log = SendLog()

    async def trigger(request: Request) -> JSONResponse:
        try:
            data = await request.json()
            target, count = str(data["target"]), int(data.get("count", 1))
            _hub_url(target)
            if not 1 <= count <= MAX_COUNT:
                raise ValueError(f"count must be 1..{MAX_COUNT}")
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"title": "bad trigger", "status": 400, "detail": str(exc)}, status_code=400)
        job = (target, count, username, password, sender_id, lg_code, send_log)
        threading.Thread(target=deliver, args=job, daemon=True, name="juki-sender").start()
        return JSONResponse({"accepted": True, "count": count}, status_code=202)

    return Starlette(routes=[Route("/trigger", trigger, methods=["POST"])]), send_log

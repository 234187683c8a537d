"""A deliberately faulty sender of 住民異動通知, for testing the kit's sender role.

``POST /trigger {"target": url, "count": n}`` makes it deliver n IdoTsuchi to ``url`` (the trigger
convention of conformance/README.md). Residents come in pairs (転入, then 転居) so ordering can be
judged. With no faults it follows the contract; each fault breaks one rule. Like the faulty vendor it
needs only lxml, starlette and the standard library.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

FAULTS = ("sender_missing_header", "sender_bad_lg_code", "sender_stale_token", "sender_reused_nonce",
          "sender_schema_invalid", "sender_out_of_order", "sender_reused_message_id", "sender_wrong_action")
JST = timezone(timedelta(hours=9))
_TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:chipla:ns:common:1"
 xmlns:j="urn:chipla:ns:jumin:1"
 xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
 xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
<soap:Header><c:PfHeader><c:messageId>{mid}</c:messageId><c:sentAt>{sent}</c:sentAt><c:lgCode>{lg}</c:lgCode>
<c:senderSystemId>faulty-sender</c:senderSystemId><c:service>jumin</c:service><c:operation>IdoTsuchi</c:operation>
{spec}<c:subjectKey>{atena}</c:subjectKey></c:PfHeader>
<wsse:Security><wsse:UsernameToken><wsse:Username>{user}</wsse:Username>
<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{digest}</wsse:Password>
<wsse:Nonce>{nonce}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>
</soap:Header><soap:Body><j:IdoTsuchiRequest><j:ido><j:idoJiyu>{jiyu}</j:idoJiyu><j:idoDate>{day}</j:idoDate>
<j:jumin><j:shikibetsu><j:atenaNo>{atena}</j:atenaNo><j:setaiNo>{setai}</j:setaiNo><j:lgCode>{lg}</j:lgCode></j:shikibetsu>
<j:jotai><j:juminShubetsu>1</j:juminShubetsu><j:juminJotai>1</j:juminJotai></j:jotai>
<j:shimei><j:shimei>木曽 三郎</j:shimei></j:shimei>
<j:zokusei><j:birthDate>{birth}</j:birthDate><j:seibetsu>1</j:seibetsu><j:zokugara>01</j:zokugara></j:zokusei>
<j:jusho><j:prefecture>三重県</j:prefecture><j:city>桑名郡木曽岬町</j:city><j:banchi>{banchi}</j:banchi></j:jusho>
</j:jumin></j:ido></j:IdoTsuchiRequest></soap:Body></soap:Envelope>"""


class FaultySender:
    def __init__(self, faults: set[str], username: str, password: str, lg_code: str = "243035") -> None:
        unknown = faults - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        self.faults, self.username, self.password, self.lg_code = faults, username, password, lg_code
        self.fixed_nonce = os.urandom(16)
        self.fixed_message_id = str(uuid.uuid4())

    def messages(self, count: int) -> list[bytes]:
        run = uuid.uuid4().int % 10**9
        plan = []
        for i in range(count):
            pair, second = divmod(i, 2)
            atena = f"5{run:09d}{pair:03d}"
            day = (date.today() - timedelta(days=3 - second)).isoformat()
            plan.append((atena, "30" if second else "10", day, str(250 + second)))
        if "sender_out_of_order" in self.faults:
            for i in range(0, len(plan) - 1, 2):
                plan[i], plan[i + 1] = plan[i + 1], plan[i]
        return [self._message(*p) for p in plan]

    def _message(self, atena: str, jiyu: str, day: str, banchi: str) -> bytes:
        nonce = self.fixed_nonce if "sender_reused_nonce" in self.faults else os.urandom(16)
        age = timedelta(minutes=30) if "sender_stale_token" in self.faults else timedelta(0)
        created = (datetime.now(UTC) - age).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + self.password.encode()).digest())
        lg = self.lg_code[:5] + str((int(self.lg_code[5]) + 1) % 10) if "sender_bad_lg_code" in self.faults \
            else self.lg_code
        values: dict[str, Any] = {
            "mid": self.fixed_message_id if "sender_reused_message_id" in self.faults else uuid.uuid4(),
            "sent": datetime.now(JST).isoformat(timespec="seconds"), "lg": lg, "atena": atena,
            "setai": "4" + atena[1:], "user": self.username, "digest": digest.decode(),
            "nonce": base64.b64encode(nonce).decode(), "created": created, "jiyu": jiyu, "day": day,
            "banchi": banchi,
            "birth": "1990/01/01" if "sender_schema_invalid" in self.faults else "1990-01-01",
            "spec": "" if "sender_missing_header" in self.faults else "<c:specVersion>1.0</c:specVersion>",
        }
        return _TEMPLATE.format(**values).encode("utf-8")

    def deliver(self, target: str, count: int) -> None:
        wrong = "sender_wrong_action" in self.faults
        action = "urn:chipla:jumin:Wrong" if wrong else "urn:chipla:jumin:IdoTsuchi"
        for message in self.messages(count):
            req = urllib.request.Request(target, data=message, method="POST", headers={
                "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'})
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback test target
                    resp.read()
            except OSError:
                continue  # a Fault (HTTP 500) or a refused connection: a sender moves on


def create_app(faults: set[str] | None = None, *, username: str = "sender",
               password: str = "sender-secret") -> Starlette:
    sender = FaultySender(set(faults or ()), username, password)

    async def trigger(request: Request) -> JSONResponse:
        data = await request.json()
        args = (str(data["target"]), int(data.get("count", 1)))
        thread = threading.Thread(target=sender.deliver, args=args, daemon=True)
        thread.start()
        return JSONResponse({"accepted": True}, status_code=202)

    return Starlette(routes=[Route("/trigger", trigger, methods=["POST"])])

"""A simulated receiving vendor system (個人住民税, 国民健康保険, 介護保険 …).

It speaks the contract at ``/soap/jumin`` (IdoTsuchi, UsernameToken with PasswordDigest, replay
refused) and ``/webhook`` (JSON), is idempotent on the message id, records what it received in order
at ``/inbox``, and can be told at ``/control`` to fail the next N calls or to be down, for the retry
and dead-letter tests.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.soap import codec, envelope, wsse, xmlsafe
from broker.clock import now
from broker.errors import HubError, NotAllowed, SchemaInvalid
from broker.security import usernametoken


@dataclass
class Inbox:
    """What a receiver got, in arrival order, and how often each message id came."""

    items: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    fail_next: int = 0
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, message_id: str, item: dict[str, Any]) -> bool:
        """Record; return False for a message id already received (idempotent receiver)."""
        with self.lock:
            self.seen[message_id] = self.seen.get(message_id, 0) + 1
            if self.seen[message_id] > 1:
                return False
            self.items.append(item)
            return True

    def should_fail(self) -> bool:
        with self.lock:
            if self.down:
                return True
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return False


def receiver_app(name: str, username: str, password: str) -> tuple[Starlette, Inbox]:
    inbox = Inbox()

    async def soap(request: Request) -> Response:
        raw = await request.body()
        version = envelope.SOAP11
        try:
            req = envelope.split(xmlsafe.parse(raw))
            version = req.version
            token = wsse.read_token(req.security)
            if token.username != username:
                raise NotAllowed("unknown user", code="authentication_failed")
            usernametoken.verify(token, password)
            with inbox.lock:
                if token.nonce_b64 in inbox.nonces:
                    raise NotAllowed("replayed token", code="token_replayed")
                inbox.nonces.add(token.nonce_b64 or "")
            if inbox.should_fail():
                raise HubError("受信システムが一時的に利用できません", code="downstream_unavailable")
            if req.header_block is None or not codec.lxml_common_schema().validate(req.header_block):
                raise SchemaInvalid("PfHeader missing or invalid", code="header_invalid")
            if req.body_element.tag != f"{{{codec.NS_JUMIN}}}IdoTsuchiRequest" or \
                    not codec.lxml_schema().validate(req.body_element):
                raise SchemaInvalid("IdoTsuchiRequest expected")
            meta = codec.to_dict(req.header_block)
            ido = codec.to_dict(req.body_element)["ido"]
        except HubError as exc:
            return Response(envelope.fault(version, exc), status_code=500,
                            media_type=envelope.CONTENT_TYPE[version])
        fresh = inbox.take(meta["messageId"], _item(meta, ido, "soap"))
        body = codec.to_xml(f"{{{codec.NS_JUMIN}}}IdoTsuchiResponse", {
            "result": {"code": "0000" if fresh else "0001", "message": "受信しました"},
            "receiptId": str(uuid.uuid4()), "acceptedAt": now(), "duplicate": not fresh})
        return Response(envelope.envelope(version, body), media_type=envelope.CONTENT_TYPE[version])

    async def webhook(request: Request) -> Response:
        if inbox.should_fail():
            return JSONResponse({"title": "unavailable", "status": 503, "code": "5003"}, status_code=503)
        try:
            data = json.loads(await request.body())
            meta, ido = data["meta"], data["ido"]
        except (ValueError, KeyError):
            return JSONResponse({"title": "bad request", "status": 400, "code": "1012"}, status_code=400)
        fresh = inbox.take(meta["messageId"], _item(meta, ido, "webhook", imi=data.get("imi")))
        return JSONResponse({"received": True, "duplicate": not fresh}, status_code=200 if fresh else 409)

    async def show_inbox(_: Request) -> Response:
        with inbox.lock:
            return JSONResponse({"system": name, "count": len(inbox.items),
                                 "duplicates": sum(n - 1 for n in inbox.seen.values()),
                                 "items": inbox.items[-500:]})

    async def control(request: Request) -> Response:
        data = await request.json()
        with inbox.lock:
            if "fail" in data:
                inbox.fail_next = int(data["fail"])
            if "down" in data:
                inbox.down = bool(data["down"])
        return JSONResponse({"failNext": inbox.fail_next, "down": inbox.down})

    app = Starlette(routes=[Route("/soap/jumin", soap, methods=["POST"]),
                            Route("/webhook", webhook, methods=["POST"]),
                            Route("/inbox", show_inbox), Route("/control", control, methods=["POST"])])
    return app, inbox


def _item(meta: dict[str, Any], ido: dict[str, Any], via: str, imi: Any = None) -> dict[str, Any]:
    shikibetsu = ido["jumin"]["shikibetsu"]
    return {"messageId": meta["messageId"], "correlationId": meta.get("correlationId"), "via": via,
            "atenaNo": shikibetsu["atenaNo"], "idoJiyu": ido["idoJiyu"], "idoDate": ido["idoDate"],
            "shimei": ido["jumin"]["shimei"]["shimei"], "hasKojinBango": "kojinBango" in shikibetsu,
            "hasImi": imi is not None, "receivedAt": datetime.now().astimezone().isoformat()}

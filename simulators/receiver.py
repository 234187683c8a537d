"""A simulated receiving vendor system (個人住民税, 国民健康保険, 介護保険 …).

It speaks the contract at ``/soap/jumin`` (IdoTsuchi, UsernameToken with PasswordDigest, replay
refused) and ``/webhook`` (JSON), is idempotent on the message id, records what it received in order
at ``/inbox``, and can be told at ``/control`` to fail the next N calls, to be down, or to answer
each call only after a delay, for the retry, dead-letter and fault tests.
"""

from __future__ import annotations

import asyncio
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

from adapters.inbound.soap.wsdl_docs import WsdlDocuments
from adapters.outbound import webhook_signature
from adapters.soap import envelope, xmlsafe
from adapters.wire import codec
from broker.accept import content_digest
from broker.clock import now
from broker.envelope import Envelope, Header
from broker.errors import (
    DuplicateConflict,
    HeaderInvalid,
    HubError,
    RequestInvalid,
    SchemaInvalid,
    Stale,
)
from broker.services import jumin
from broker.services.jumin import JuminService
from simulators.hub_token import check_hub_token

JUMIN_NS = JuminService.contract.namespace


@dataclass
class Inbox:
    """What a receiver got, in arrival order, and how often each message id came."""

    items: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    receipts: dict[str, tuple[str, str]] = field(default_factory=dict)  # message id → (receipt, digest)
    latest: dict[str, str] = field(default_factory=dict)  # 宛名番号 → latest 異動日
    nonces: set[str] = field(default_factory=set)
    fail_next: int = 0
    unsigned: int = 0  # webhook deliveries refused for a missing or wrong signature
    down: bool = False
    delay: float = 0.0  # seconds each call waits before it is answered (a slow vendor system)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, message_id: str, item: dict[str, Any]) -> bool:
        """Record; return False for a message id already received (idempotent receiver)."""
        with self.lock:
            self.seen[message_id] = self.seen.get(message_id, 0) + 1
            if self.seen[message_id] > 1:
                return False
            self.items.append(item)
            return True

    def take_ido(self, message_id: str, digest: str, item: dict[str, Any]) -> tuple[str, bool]:
        """The receiver's own rules: the first receipt for a re-sent id, 1009 for other content under
        the same id, 1010 for a change older than the one it holds; returns (receipt, duplicate)."""
        with self.lock:
            known = self.receipts.get(message_id)
            if known is not None:
                if known[1] != digest:
                    raise DuplicateConflict("同一メッセージIDで内容の異なる電文です")
                self.seen[message_id] += 1
                return known[0], True
            latest = self.latest.get(item["atenaNo"])
            if latest is not None and item["idoDate"] < latest:
                raise Stale(f"異動日 {item['idoDate']} は保持している異動日 {latest} より前です")
            receipt = str(uuid.uuid4())
            self.receipts[message_id] = (receipt, digest)
            self.latest[item["atenaNo"]] = item["idoDate"]
            self.seen[message_id] = 1
            self.items.append(item)
            return receipt, False

    def should_fail(self) -> bool:
        with self.lock:
            if self.down:
                return True
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return False


def receiver_app(name: str, username: str, password: str,
                 webhook_secret: str | None = None) -> tuple[Starlette, Inbox]:
    """A receiving vendor system; with ``webhook_secret`` its webhook refuses unsigned deliveries (401)."""
    jumin_codec = codec.for_contract(JuminService.contract)
    inbox = Inbox()
    docs = WsdlDocuments()

    async def soap(request: Request) -> Response:
        if request.method == "GET":
            return docs.response(request, "jumin")
        if inbox.delay:
            await asyncio.sleep(inbox.delay)
        raw = await request.body()
        version = envelope.SOAP11
        try:
            req = envelope.split(xmlsafe.parse(raw))
            version = req.version
            check_hub_token(req, username, password, inbox.nonces, inbox.lock)
            if inbox.should_fail():
                raise HubError("受信システムが一時的に利用できません", code="downstream_unavailable")
            if req.body_element.tag != f"{{{JUMIN_NS}}}IdoTsuchiRequest":
                raise RequestInvalid(f"この受信システムは IdoTsuchi だけを受け付けます: {req.body_element.tag}",
                                     code="unknown_operation")
            if req.header_block is None or not codec.common().lxml_schema.validate(req.header_block):
                raise HeaderInvalid("共通ヘッダ (PfHeader) がないか正しくありません")
            header = Header.from_wire(codec.common().to_dict(req.header_block))
            if (header.service, header.operation) != ("jumin", "IdoTsuchi"):
                raise HeaderInvalid("共通ヘッダの service/operation が本文と一致しません")
            jumin_codec.validate(req.body_element, SchemaInvalid)
            ido = jumin_codec.to_dict(req.body_element)["ido"]
            jumin.check_codes(ido)
            env = Envelope(header, {"ido": ido}, raw, "text/xml", "soap")
            receipt, duplicate = inbox.take_ido(header.message_id, content_digest(env),
                                                _item(header.to_wire(), ido, "soap"))
        except HubError as exc:
            return Response(envelope.fault(version, exc), status_code=500,
                            media_type=envelope.CONTENT_TYPE[version])
        body = jumin_codec.to_xml(f"{{{JUMIN_NS}}}IdoTsuchiResponse", {
            "result": {"code": "0001" if duplicate else "0000", "message": "受信しました"},
            "receiptId": receipt, "acceptedAt": now(), "duplicate": duplicate})
        return Response(envelope.envelope(version, body), media_type=envelope.CONTENT_TYPE[version])

    async def webhook(request: Request) -> Response:
        if inbox.delay:
            await asyncio.sleep(inbox.delay)
        if inbox.should_fail():
            return JSONResponse({"title": "unavailable", "status": 503, "code": "5003"}, status_code=503)
        raw = await request.body()
        if webhook_secret is not None:
            problem = webhook_signature.verify(webhook_secret, request.headers, raw)
            if problem is not None:
                with inbox.lock:
                    inbox.unsigned += 1
                return JSONResponse({"title": problem, "status": 401, "code": "2002"}, status_code=401)
        try:
            data = json.loads(raw)
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
            if "delay" in data:
                inbox.delay = float(data["delay"])
        return JSONResponse({"failNext": inbox.fail_next, "down": inbox.down, "delay": inbox.delay})

    app = Starlette(routes=[Route("/soap/jumin", soap, methods=["GET", "POST"]),
                            Route("/webhook", webhook, methods=["POST"]),
                            Route("/inbox", show_inbox), Route("/control", control, methods=["POST"])])
    return app, inbox


def _item(meta: dict[str, Any], ido: dict[str, Any], via: str, imi: Any = None) -> dict[str, Any]:
    shikibetsu = ido["jumin"]["shikibetsu"]
    return {"messageId": meta["messageId"], "correlationId": meta.get("correlationId"), "via": via,
            "atenaNo": shikibetsu["atenaNo"], "idoJiyu": ido["idoJiyu"], "idoDate": ido["idoDate"],
            "shimei": ido["jumin"]["shimei"]["shimei"], "hasKojinBango": "kojinBango" in shikibetsu,
            "hasImi": imi is not None, "receivedAt": datetime.now().astimezone().isoformat()}

"""A simulated employer (特別徴収義務者) that takes its signed 正本 at its own endpoint.

It speaks ``api_specs/wsdl/zei_tokucho.wsdl`` at ``/soap/zei-tokucho`` (SeihonTsuchi, UsernameToken
with PasswordDigest, replay refused) and takes the same content as JSON at ``/webhook``. Like a
careful payroll office it verifies every 正本 against the town's certificate it was given, refuses
one that is not signed by it (1014) or that is addressed to another employer's 指定番号 (2005), and
is idempotent on the receipt id. ``/inbox`` shows what it kept, ``/control`` makes it fail or go down.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import api_specs
from adapters.inbound.soap.wsdl_docs import WsdlDocuments
from adapters.soap import envelope, xmlsafe
from adapters.wire.codec import NS_COMMON
from broker import xmldsig
from broker.errors import HeaderInvalid, HubError, RequestInvalid, SchemaInvalid
from broker.services.zei import seihon
from simulators.hub_token import check_hub_token

NS_ZEI = "urn:chipla:ns:zei:1"
OPERATION = f"{{{NS_ZEI}}}SeihonTsuchiRequest"


class SeihonRefused(HubError):
    """The employer's own refusal; carries the result code it answers with."""


@dataclass
class EmployerInbox:
    """The 正本 an employer kept, by receipt id, in arrival order."""

    shitei_no: str
    items: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    fail_next: int = 0
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def should_fail(self) -> bool:
        with self.lock:
            if self.down:
                return True
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return False

    def keep(self, receipt_id: str, document: bytes, town_cert: bytes, via: str) -> bool:
        """Verify and keep one 正本; False when this receipt id was already kept."""
        try:
            content = seihon.read(xmldsig.verify(document, town_cert))
        except (xmldsig.SignatureInvalid, ValueError) as exc:
            self._refuse(f"{receipt_id}: {exc}")
            raise SeihonRefused(f"正本の署名を検証できません: {exc}", code="signature_invalid") from exc
        notice = content["tsuchi"]
        shitei_no = str(notice["tokuchoGimusha"]["shiteiNo"])
        if shitei_no != self.shitei_no or content["receiptId"] != receipt_id:
            self._refuse(f"{receipt_id}: addressed to {shitei_no}")
            raise SeihonRefused(f"指定番号 {shitei_no} の正本は当社宛てではありません", code="operation_forbidden")
        with self.lock:
            self.seen[receipt_id] = self.seen.get(receipt_id, 0) + 1
            if self.seen[receipt_id] > 1:
                return False
            self.items.append({
                "receiptId": receipt_id, "via": via, "shiteiNo": shitei_no, "nendo": int(notice["nendo"]),
                "tsuchiKubun": str(notice["tsuchiKubun"]), "employees": len(notice["nozeiGimusha"]),
                "gokeiGaku": int(notice["gokeiGaku"]),
                "hasKojinBango": any("kojinBango" in p for p in notice["nozeiGimusha"]),
                "signatureValid": True, "receivedAt": datetime.now().astimezone().isoformat()})
            return True

    def _refuse(self, reason: str) -> None:
        with self.lock:
            self.refused.append(reason)


def _request_fields(body: etree._Element) -> tuple[str, bytes]:
    schema = _schema()
    if not schema.validate(body):
        raise SchemaInvalid(f"スキーマ検証エラー: {schema.error_log.last_error}")
    receipt_id = body.findtext(f"{{{NS_ZEI}}}receiptId") or ""
    try:
        document = base64.b64decode(body.findtext(f"{{{NS_ZEI}}}seihon") or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SchemaInvalid("seihon is not base64") from exc
    return receipt_id, document


_SCHEMA: list[etree.XMLSchema] = []


def _schema() -> etree.XMLSchema:
    if not _SCHEMA:
        _SCHEMA.append(etree.XMLSchema(etree.parse(str(api_specs.path("xsd", "zei.xsd")))))
    return _SCHEMA[0]


def _response(receipt_id: str, duplicate: bool) -> etree._Element:
    el = etree.Element(f"{{{NS_ZEI}}}SeihonTsuchiResponse", nsmap={"z": NS_ZEI, "c": NS_COMMON})
    result = etree.SubElement(el, f"{{{NS_ZEI}}}result")
    etree.SubElement(result, f"{{{NS_COMMON}}}code").text = "0001" if duplicate else "0000"
    etree.SubElement(result, f"{{{NS_COMMON}}}message").text = "受領済み" if duplicate else "受領しました"
    etree.SubElement(el, f"{{{NS_ZEI}}}receiptId").text = receipt_id
    return el


def employer_app(shitei_no: str, username: str, password: str, town_cert: bytes) -> tuple[Starlette, EmployerInbox]:
    """The employer's endpoint; ``username``/``password`` are what the hub signs in with."""
    inbox = EmployerInbox(shitei_no)
    docs = WsdlDocuments()

    async def soap(request: Request) -> Response:
        if request.method == "GET":
            return docs.response(request, "zei_tokucho")
        raw = await request.body()
        version = envelope.SOAP11
        try:
            req = envelope.split(xmlsafe.parse(raw))
            version = req.version
            check_hub_token(req, username, password, inbox.nonces, inbox.lock)
            if inbox.should_fail():
                raise HubError("受信システムが一時的に利用できません", code="downstream_unavailable")
            if req.body_element.tag != OPERATION:
                raise RequestInvalid(f"この受信口は SeihonTsuchi だけを受け付けます: {req.body_element.tag}",
                                     code="unknown_operation")
            if req.header_block is None:
                raise HeaderInvalid("共通ヘッダ (PfHeader) がありません")
            receipt_id, document = _request_fields(req.body_element)
            fresh = inbox.keep(receipt_id, document, town_cert, "soap")
        except HubError as exc:
            return Response(envelope.fault(version, exc), status_code=500, media_type=envelope.CONTENT_TYPE[version])
        return Response(envelope.envelope(version, _response(receipt_id, not fresh)),
                        media_type=envelope.CONTENT_TYPE[version])

    async def webhook(request: Request) -> Response:
        if inbox.should_fail():
            return JSONResponse({"title": "unavailable", "status": 503, "code": "5003"}, status_code=503)
        try:
            data = json.loads(await request.body())
            receipt_id = str(data["receiptId"])
            document = base64.b64decode(data["seihon"], validate=True)
            fresh = inbox.keep(receipt_id, document, town_cert, "webhook")
        except HubError as exc:
            return JSONResponse({"title": exc.message, "status": 422, "code": exc.result.code}, status_code=422)
        except (ValueError, KeyError, TypeError, binascii.Error):
            return JSONResponse({"title": "bad request", "status": 400, "code": "1012"}, status_code=400)
        return JSONResponse({"received": True, "duplicate": not fresh}, status_code=200 if fresh else 409)

    async def show_inbox(_: Request) -> Response:
        with inbox.lock:
            return JSONResponse({"shiteiNo": shitei_no, "count": len(inbox.items),
                                 "duplicates": sum(n - 1 for n in inbox.seen.values()),
                                 "refused": list(inbox.refused), "items": list(inbox.items)})

    async def control(request: Request) -> Response:
        data = await request.json()
        with inbox.lock:
            if "fail" in data:
                inbox.fail_next = int(data["fail"])
            if "down" in data:
                inbox.down = bool(data["down"])
        return JSONResponse({"failNext": inbox.fail_next, "down": inbox.down})

    app = Starlette(routes=[Route("/soap/zei-tokucho", soap, methods=["GET", "POST"]),
                            Route("/webhook", webhook, methods=["POST"]),
                            Route("/inbox", show_inbox), Route("/control", control, methods=["POST"])])
    return app, inbox

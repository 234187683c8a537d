"""The 住民基本台帳 SOAP endpoint: ``/soap/jumin`` (POST) and its WSDL at ``/soap/jumin?wsdl``.

Order of checks: size → well-formed and safe → SOAP envelope → known operation → UsernameToken →
header and body against the XSD → the pipeline. Every refusal is a SOAP Fault with a 結果コード
(HTTP 500, as WS-I Basic Profile requires), a quarantine entry and an audit entry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from lxml import etree
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from adapters.inbound.wsdl_docs import WsdlDocuments
from adapters.soap import codec, envelope, wsse, xmlsafe
from adapters.soap.codec import NS_JUMIN
from broker import result_codes
from broker.envelope import Envelope, Header
from broker.errors import HeaderInvalid, HubError, MalformedInput, NotAllowed, RequestInvalid, SchemaInvalid
from broker.hub import Hub
from broker.reasons import scrub
from broker.registry import SystemInfo
from broker.security import usernametoken
from broker.services import jumin

log = logging.getLogger(__name__)

OPERATIONS = {
    f"{{{NS_JUMIN}}}IdoTsuchiRequest": "IdoTsuchi",
    f"{{{NS_JUMIN}}}JuminShokaiRequest": "JuminShokai",
    f"{{{NS_JUMIN}}}IdoIchiranShokaiRequest": "IdoIchiranShokai",
    f"{{{NS_JUMIN}}}SetaiShokaiRequest": "SetaiShokai",
}


class _Refusal(Exception):
    def __init__(self, error: HubError, sender: str | None, message_id: str | None) -> None:
        self.error, self.sender, self.message_id = error, sender, message_id


class JuminSoapEndpoint:
    def __init__(self, hub: Hub, docs: WsdlDocuments, max_bytes: int = xmlsafe.MAX_BYTES) -> None:
        self.hub = hub
        self.docs = docs
        self.max_bytes = max_bytes
        codec.warm_up()
        self.handlers: dict[str, Callable[[Envelope, SystemInfo, tuple[str, str]], Any]] = {
            "IdoTsuchi": self._ido_tsuchi,
            "JuminShokai": self._jumin_shokai,
            "IdoIchiranShokai": self._ido_ichiran,
            "SetaiShokai": self._setai_shokai,
        }

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            return self.docs.response(request, "jumin")
        raw = await _read_limited(request, self.max_bytes)
        version = envelope.SOAP11
        try:
            if raw is None:
                raise MalformedInput(f"電文が大きすぎます (> {self.max_bytes} bytes)", code="too_large")
            root = xmlsafe.parse(raw, self.max_bytes)
            req = envelope.split(root)
            version = req.version
            return await self._handle(req, raw)
        except _Refusal as r:
            return await self._refuse(version, raw or b"", request, r.error, r.sender, r.message_id)
        except HubError as exc:
            return await self._refuse(version, raw or b"", request, exc, None, None)
        except Exception as exc:  # a hub fault still answers as SOAP, with 5001, and keeps the input
            log.exception("SOAP request failed")
            error = HubError("ハブ内部エラー", log_detail=repr(exc))
            return await self._refuse(version, raw or b"", request, error, None, None)

    async def _handle(self, req: envelope.SoapRequest, raw: bytes) -> Response:
        operation = OPERATIONS.get(req.body_element.tag)
        if operation is None:
            raise RequestInvalid(f"未定義の操作です: {req.body_element.tag}", code="unknown_operation")
        token = wsse.read_token(req.security)
        caller = self.hub.registry.system_for_wss_user(token.username)
        if caller is None or caller.wss_secret is None:
            raise NotAllowed("認証に失敗しました", code="authentication_failed")
        message_id = (req.header_block.findtext(f"{{{codec.NS_COMMON}}}messageId")
                      if req.header_block is not None else None)
        try:
            verified = usernametoken.verify(token, caller.wss_secret)
            self.hub.nonces.claim_in_memory(*verified.replay_key)
            env = self._envelope(req, raw, operation)
            result = await self.handlers[operation](env, caller, verified.replay_key)
        except HubError as exc:
            raise _Refusal(exc, caller.id, message_id) from exc
        return Response(envelope.envelope(req.version, result), media_type=envelope.CONTENT_TYPE[req.version])

    def _envelope(self, req: envelope.SoapRequest, raw: bytes, operation: str) -> Envelope:
        if req.header_block is None:
            raise HeaderInvalid("共通ヘッダ (PfHeader) がありません")
        header_schema = codec.lxml_common_schema()
        if not header_schema.validate(req.header_block):
            raise HeaderInvalid(f"共通ヘッダの誤り: {_first_error(header_schema)}")
        header = Header.from_wire(codec.to_dict(req.header_block))
        if header.service != jumin.SERVICE or header.operation != operation:
            raise HeaderInvalid(f"共通ヘッダの service/operation ({header.service}/{header.operation}) が"
                                f"本文の操作 ({jumin.SERVICE}/{operation}) と一致しません")
        body_schema = codec.lxml_schema()
        if not body_schema.validate(req.body_element):
            raise SchemaInvalid(f"スキーマ検証エラー: {_first_error(body_schema)}")
        body = codec.to_dict(req.body_element)
        return Envelope(header=header, body=body, original=raw, content_type="text/xml", channel="soap")

    # -- operations --------------------------------------------------------------------------
    async def _ido_tsuchi(self, env: Envelope, caller: SystemInfo, nonce: tuple[str, str]) -> etree._Element:
        receipt = await asyncio.wrap_future(self.hub.submit(env, caller, nonce))
        rc = "0001" if receipt.duplicate else "0000"
        return codec.to_xml(f"{{{NS_JUMIN}}}IdoTsuchiResponse", {
            "result": {"code": rc, "message": _ja(rc)}, "receiptId": receipt.receipt_id,
            "acceptedAt": receipt.accepted_at, "duplicate": receipt.duplicate,
        })

    async def _jumin_shokai(self, env: Envelope, caller: SystemInfo, nonce: tuple[str, str]) -> etree._Element:
        body = env.body
        await run_in_threadpool(self.hub.record_query, caller, env, body["atenaNo"], nonce)
        record = await run_in_threadpool(jumin.get_resident, self.hub.store, env.header.lg_code,
                                         body["atenaNo"], body.get("asOf"))
        record = self.hub.entitled_view(caller, env.header, record)
        return codec.to_xml(f"{{{NS_JUMIN}}}JuminShokaiResponse",
                            {"result": {"code": "0000", "message": _ja("0000")}, "jumin": record})

    async def _ido_ichiran(self, env: Envelope, caller: SystemInfo, nonce: tuple[str, str]) -> etree._Element:
        body = env.body
        await run_in_threadpool(self.hub.record_query, caller, env, "ido-list", nonce)
        since = jumin.parse_since(body["since"]) if body.get("since") else None
        page = await run_in_threadpool(jumin.list_ido, self.hub.store, env.header.lg_code, since=since,
                                       cursor=body.get("cursor"), page_size=int(body.get("pageSize") or 100))
        entries = [{**e, "ido": {**e["ido"], "jumin": self.hub.entitled_view(
            caller, env.header, e["ido"]["jumin"])}} for e in page.entries]
        return codec.to_xml(f"{{{NS_JUMIN}}}IdoIchiranShokaiResponse", {
            "result": {"code": "0000", "message": _ja("0000")}, "entry": entries,
            "nextCursor": page.next_cursor, "hasMore": page.has_more,
        })

    async def _setai_shokai(self, env: Envelope, caller: SystemInfo, nonce: tuple[str, str]) -> etree._Element:
        body = env.body
        await run_in_threadpool(self.hub.record_query, caller, env, f"setai:{body['setaiNo']}", nonce)
        members = await run_in_threadpool(jumin.get_setai, self.hub.store, env.header.lg_code,
                                          body["setaiNo"], body.get("asOf"))
        return codec.to_xml(f"{{{NS_JUMIN}}}SetaiShokaiResponse", {
            "result": {"code": "0000", "message": _ja("0000")}, "setaiNo": body["setaiNo"],
            "member": [self.hub.entitled_view(caller, env.header, m) for m in members],
        })

    # -- refusals ----------------------------------------------------------------------------
    async def _refuse(self, version: str, raw: bytes, request: Request, error: HubError,
                      sender: str | None, message_id: str | None) -> Response:
        if error.result.code.startswith("5"):
            log.error("SOAP request failed: %s %s", error.message, error.log_detail or "")
        headers = {"content-type": request.headers.get("content-type", ""),
                   "soapaction": request.headers.get("soapaction", ""),
                   "client": request.client.host if request.client else ""}
        await run_in_threadpool(self.hub.quarantine, channel="soap", original=raw, headers=headers,
                                error=error, sender=sender)
        return Response(envelope.fault(version, error, message_id), status_code=500,
                        media_type=envelope.CONTENT_TYPE[version])


def _first_error(schema: etree.XMLSchema) -> str:
    err = schema.error_log.last_error
    if err is None:
        return "unknown"
    where = err.path or f"line {err.line}"
    return scrub(f"{where}: {err.message}")


def _ja(code: str) -> str:
    return result_codes.table()[code].ja


async def _read_limited(request: Request, max_bytes: int) -> bytes | None:
    """Read the body, giving up (None) as soon as it passes ``max_bytes``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)

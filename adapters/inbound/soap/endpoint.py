"""The SOAP door of one service: ``/soap/<service>`` (POST) and its WSDL at ``/soap/<service>?wsdl``.

Stages (docs/architecture.md): 1 read (size) → 2 parse (well-formed and safe, SOAP envelope, an
operation of this service by its body element ``{namespace}OpRequest``) → 3 authenticate
(UsernameToken) → 4 the shared intake (header and body against the XSD) → the hub (5–10). Every
refusal is a SOAP Fault with a 結果コード (HTTP 500, as WS-I Basic Profile requires), a quarantine
entry and an audit entry. Which operations exist and what they
answer is the service's declaration; this door only speaks SOAP.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from adapters.inbound.soap.wsdl_docs import WsdlDocuments
from adapters.soap import envelope, wsse, xmlsafe
from adapters.wire import codec, intake
from broker.errors import HubError, MalformedInput, NotAllowed, RequestInvalid, StoreUnavailable
from broker.hub import Hub
from broker.security import usernametoken
from broker.service import Service
from broker.store import is_store_failure

log = logging.getLogger(__name__)

TRANSPORT = "soap"


class _Refusal(Exception):
    def __init__(self, error: HubError, sender: str | None, message_id: str | None) -> None:
        self.error, self.sender, self.message_id = error, sender, message_id


class SoapEndpoint:
    def __init__(self, hub: Hub, service: Service, docs: WsdlDocuments, max_bytes: int = xmlsafe.MAX_BYTES) -> None:
        self.hub = hub
        self.service = service
        self.docs = docs
        self.max_bytes = max_bytes
        contract = service.contract
        self.codec = codec.for_contract(contract)
        #: request element → operation name, from the service's declared operations
        self.operations = {contract.request_element(name): name for name in service.operations}
        self.codec.warm_up([*self.operations, *(contract.response_element(n) for n in service.operations)])
        codec.common()

    @property
    def path(self) -> str:
        return f"/soap/{self.service.id}"

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            return self.docs.response(request, self.service.id)
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
            error: HubError
            if is_store_failure(exc):  # the store is away: 5002, which senders retry
                error = StoreUnavailable("保存先に接続できません。しばらくしてから送り直してください",
                                         log_detail=f"{type(exc).__name__}")
            else:
                log.exception("SOAP request failed")
                error = HubError("ハブ内部エラー", log_detail=repr(exc))
            return await self._refuse(version, raw or b"", request, error, None, None)

    async def _handle(self, req: envelope.SoapRequest, raw: bytes) -> Response:
        operation = self.operations.get(req.body_element.tag)
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
            env = intake.envelope_from_xml(self.service, operation, req.header_block, req.body_element,
                                           original=raw, content_type="text/xml", transport=TRANSPORT)
            answer = await intake.run(self.hub, env, caller, verified.replay_key)
        except HubError as exc:
            raise _Refusal(exc, caller.id, message_id) from exc
        body = self.codec.to_xml(self.service.contract.response_element(operation), answer.fields)
        return Response(envelope.envelope(req.version, body), media_type=envelope.CONTENT_TYPE[req.version])

    # -- refusals ----------------------------------------------------------------------------
    async def _refuse(self, version: str, raw: bytes, request: Request, error: HubError,
                      sender: str | None, message_id: str | None) -> Response:
        if error.result.code.startswith("5"):
            log.error("SOAP request failed: %s %s", error.message, error.log_detail or "")
        headers = {"content-type": request.headers.get("content-type", ""),
                   "soapaction": request.headers.get("soapaction", ""),
                   "client": request.client.host if request.client else ""}
        await run_in_threadpool(self.hub.quarantine, transport=TRANSPORT, original=raw, headers=headers,
                                error=error, sender=sender)
        return Response(envelope.fault(version, error, message_id), status_code=500,
                        media_type=envelope.CONTENT_TYPE[version])


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

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
from starlette.types import Receive, Scope, Send

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
#: what the door answers: HTTP status, content type, body
Answer = tuple[int, str, bytes]
_UNEXPECTED: Answer = (500, "text/plain; charset=utf-8", b"Internal Server Error")


class _Refusal(Exception):
    def __init__(self, error: HubError, sender: str | None, message_id: str | None) -> None:
        self.error, self.sender, self.message_id = error, sender, message_id


class _ClientGone(Exception):
    """The client disconnected before its body was read: there is no one to answer."""


class SoapEndpoint:
    """The door as a plain ASGI app: the composition root sends ``GET``/``POST /soap/<service>``
    here before any framework router or middleware (each layer costs the event loop time on every
    message). What those layers gave the door, it does itself: it reads the body from ``receive``
    under the size limit, answers with one response start and one body, and answers an unexpected
    exception with a plain 500 (then re-raises it for the server's log), as Starlette's error
    middleware did."""

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            answer = await self._answer(scope, receive)
        except _ClientGone:
            return
        except Exception:
            await _respond(send, *_UNEXPECTED)
            raise
        if isinstance(answer, Response):
            await answer(scope, receive, send)
        else:
            await _respond(send, *answer)

    async def _answer(self, scope: Scope, receive: Receive) -> Answer | Response:
        if scope["method"] == "GET":
            return self.docs.response(Request(scope, receive), self.service.id)
        return await self.handle(scope, receive)

    async def handle(self, scope: Scope, receive: Receive) -> Answer:
        raw = await _read_limited(scope, receive, self.max_bytes)
        version = envelope.SOAP11
        try:
            if raw is None:
                raise MalformedInput(f"電文が大きすぎます (> {self.max_bytes} bytes)", code="too_large")
            root = xmlsafe.parse(raw, self.max_bytes)
            req = envelope.split(root)
            version = req.version
            return await self._handle(req, raw)
        except _Refusal as r:
            return await self._refuse(version, raw or b"", scope, r.error, r.sender, r.message_id)
        except HubError as exc:
            return await self._refuse(version, raw or b"", scope, exc, None, None)
        except Exception as exc:  # a hub fault still answers as SOAP, with 5001, and keeps the input
            error: HubError
            if is_store_failure(exc):  # the store is away: 5002, which senders retry
                error = StoreUnavailable("保存先に接続できません。しばらくしてから送り直してください",
                                         log_detail=f"{type(exc).__name__}")
            else:
                log.exception("SOAP request failed")
                error = HubError("ハブ内部エラー", log_detail=repr(exc))
            return await self._refuse(version, raw or b"", scope, error, None, None)

    async def _handle(self, req: envelope.SoapRequest, raw: bytes) -> Answer:
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
        return 200, envelope.CONTENT_TYPE[req.version], envelope.envelope(req.version, body)

    # -- refusals ----------------------------------------------------------------------------
    async def _refuse(self, version: str, raw: bytes, scope: Scope, error: HubError,
                      sender: str | None, message_id: str | None) -> Answer:
        if error.result.code.startswith("5"):
            log.error("SOAP request failed: %s %s", error.message, error.log_detail or "")
        client = scope.get("client")
        headers = {"content-type": _header(scope, b"content-type"), "soapaction": _header(scope, b"soapaction"),
                   "client": client[0] if client else ""}
        await run_in_threadpool(self.hub.quarantine, transport=TRANSPORT, original=raw, headers=headers,
                                error=error, sender=sender)
        return 500, envelope.CONTENT_TYPE[version], envelope.fault(version, error, message_id)


async def _read_limited(scope: Scope, receive: Receive, max_bytes: int) -> bytes | None:
    """Read the body, giving up (None) as soon as it passes ``max_bytes`` (or says it will)."""
    declared = _header(scope, b"content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            return None
        if not message.get("more_body", False):
            if not chunks:
                return chunk  # the whole body in one message: the usual case
            chunks.append(chunk)
            return b"".join(chunks)
        chunks.append(chunk)


def _header(scope: Scope, name: bytes) -> str:
    """The first value of a request header ('' without one); ASGI servers give names in lower case."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")  # type: ignore[no-any-return]
    return ""


async def _respond(send: Send, status: int, media_type: str, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(body)).encode()), (b"content-type", media_type.encode())]})
    await send({"type": "http.response.body", "body": body})

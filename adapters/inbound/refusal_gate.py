"""Turn away, before anything is parsed, a client address that has been refused too often.

The refusal log counts refusals per client address; once an address passes the limit within a
minute, its requests to the SOAP and REST doors are answered at once with 2007 (and a
``Retry-After``) until its rate falls again. Nothing it sends in that time is read, so nothing of it
is accepted either: a well-behaved sender that was refused by mistake sends again later and loses
nothing.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.soap import envelope
from broker.errors import HubError
from broker.refusals import RefusalLog

GUARDED_PREFIXES = ("/soap/", "/api/")
RETRY_AFTER_SECONDS = 60


class RefusalGate:
    def __init__(self, app: ASGIApp, refusals: RefusalLog) -> None:
        self.app = app
        self.refusals = refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(GUARDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        transport = "soap" if scope["path"].startswith("/soap/") else "rest"
        error = self.refusals.turn_away(client_address(scope), transport)
        if error is None:
            await self.app(scope, receive, send)
            return
        if transport == "soap":
            await _answer(send, 500, envelope.CONTENT_TYPE[envelope.SOAP11],
                          envelope.fault(envelope.SOAP11, error))
        else:
            await _answer(send, error.http_status, "application/problem+json", _problem(error))


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _problem(error: HubError) -> bytes:
    return json.dumps({"type": "about:blank", "title": error.result.ja, "status": error.http_status,
                       "code": error.result.code, "detail": error.message}, ensure_ascii=False).encode()


async def _answer(send: Send, status: int, media_type: str, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode()),
                            (b"retry-after", str(RETRY_AFTER_SECONDS).encode())]})
    await send({"type": "http.response.body", "body": body})

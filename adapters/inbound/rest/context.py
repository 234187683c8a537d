"""How a REST handler finds the hub and the authenticated caller of the current request.

The composition root puts the hub into the ASGI scope (``HubScope``); connexion's security step puts
the caller's system id into its request context.
"""

from __future__ import annotations

import json
from typing import Any

from connexion.context import context as connexion_context
from connexion.context import scope as connexion_scope
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broker.hub import Hub
from broker.registry import SystemInfo

SCOPE_KEY = "chipla.hub"
RAW_BODY_KEY = "chipla.raw_body"


class HubScope:
    """ASGI middleware placing the hub into every request's scope.

    For REST requests with a body it also keeps the exact bytes received (the original is stored
    byte-exact) and refuses a body over the size limit before anything parses it.
    """

    def __init__(self, app: ASGIApp, hub: Hub, max_bytes: int = 1024 * 1024) -> None:
        self.app = app
        self.hub = hub
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self.hub
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH") \
                or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _too_large(send, self.max_bytes)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        scope[RAW_BODY_KEY] = raw
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"type": "about:blank", "title": "電文サイズ超過", "status": 413, "code": "1007",
                       "detail": f"body larger than {limit} bytes"}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def raw_body() -> bytes:
    return bytes(connexion_scope.get(RAW_BODY_KEY, b""))  # type: ignore[union-attr]


def hub_from_scope(scope: dict[str, Any]) -> Hub:
    return scope[SCOPE_KEY]  # type: ignore[no-any-return]


def current_hub() -> Hub:
    return hub_from_scope(connexion_scope)  # type: ignore[arg-type]


def current_caller() -> SystemInfo:
    return current_hub().registry.system(str(connexion_context["user"]))

"""How a REST handler finds the hub and the authenticated caller of the current request.

The composition root puts the hub into the ASGI scope (``HubScope``); connexion's security step puts
the caller's system id into its request context.
"""

from __future__ import annotations

from typing import Any

from connexion.context import context as connexion_context
from connexion.context import scope as connexion_scope
from starlette.types import ASGIApp, Receive, Scope, Send

from broker.hub import Hub
from broker.registry import SystemInfo

SCOPE_KEY = "chipla.hub"


class HubScope:
    """ASGI middleware placing the hub into every request's scope."""

    def __init__(self, app: ASGIApp, hub: Hub) -> None:
        self.app = app
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = self.hub
        await self.app(scope, receive, send)


def hub_from_scope(scope: dict[str, Any]) -> Hub:
    return scope[SCOPE_KEY]  # type: ignore[no-any-return]


def current_hub() -> Hub:
    return hub_from_scope(connexion_scope)  # type: ignore[arg-type]


def current_caller() -> SystemInfo:
    return current_hub().registry.system(str(connexion_context["user"]))

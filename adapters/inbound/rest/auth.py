"""API-key authentication for the REST API (connexion ``x-apikeyInfoFunc``)."""

from __future__ import annotations

from typing import Any

from connexion.exceptions import OAuthProblem

from adapters.inbound.rest.context import hub_from_scope


def api_key_info(api_key: str, required_scopes: Any = None, request: Any = None) -> dict[str, Any]:
    hub = hub_from_scope(request.scope)
    system = hub.registry.system_for_api_key(api_key)
    if system is None:
        raise OAuthProblem(detail="API キーが正しくありません")
    return {"sub": system.id}

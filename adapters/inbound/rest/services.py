"""The REST door of every registered service: handlers made from the service's declaration.

Stages (docs/architecture.md): 1 read (``HubScope`` size limit) → 2 parse (JSON, the OpenAPI schema,
by connexion) → 3 authenticate (``X-API-Key``) → 4 the shared intake → the hub (5–10).
A service's OpenAPI fragment names each operation ``<service>.<Operation>`` as its operationId;
:func:`resolver` turns that into a handler here, so a new service needs no REST code. A notice
(POST, body ``{meta, …fields of OpRequest}``) goes through the shared intake and is answered with the
receipt (202, or 200 for a re-send); a query (GET, path and query parameters named like the fields of
``OpRequest``) is answered from the service's projection. Other operationIds are dotted paths to
functions (the management API).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from connexion import request
from connexion.lifecycle import ConnexionResponse
from connexion.resolver import Resolver
from connexion.utils import get_function_from_name
from starlette.concurrency import run_in_threadpool

from adapters.inbound.rest.context import current_caller, current_hub, raw_body
from adapters.inbound.rest.problems import from_hub_error
from adapters.inbound.rest.responses import json_response
from adapters.wire import intake
from broker.catalog import ServiceCatalog
from broker.clock import now
from broker.envelope import Envelope, Header
from broker.errors import HubError
from broker.service import OperationKind, Service

TRANSPORT = "rest"
SPEC_VERSION = "1.0"
#: keyword arguments connexion may add that are not request fields
_CONTEXT_ARGUMENTS = frozenset({"user", "token_info", "body"})


def resolver(services: ServiceCatalog) -> Resolver:
    """operationId ``<service>.<Operation>`` → that operation's handler; anything else → a function."""

    def resolve(operation_id: str) -> Callable[..., Any]:
        service_id, _, name = operation_id.partition(".")
        service = services.get(service_id)
        if service is None:
            return get_function_from_name(operation_id)  # type: ignore[no-any-return]
        op = service.operation(name)
        if op is None:
            raise ValueError(f"{operation_id}: service {service_id} declares no operation {name}")
        return notice_handler(service, name) if op.kind is OperationKind.NOTICE else query_handler(service, name)

    return Resolver(function_resolver=resolve)


def notice_handler(service: Service, operation: str) -> Callable[..., Any]:
    async def notice(body: dict[str, Any]) -> ConnexionResponse:
        hub = current_hub()
        raw = raw_body()
        message_id = str(body.get("meta", {}).get("messageId", "")) or None
        caller = None
        try:
            caller = current_caller()
            fields = {k: v for k, v in body.items() if k != "meta"}
            env = intake.envelope_from_dicts(service, operation, body["meta"], fields, original=raw,
                                             content_type="application/json", transport=TRANSPORT)
            answer = await intake.run(hub, env, caller)
        except HubError as exc:
            await run_in_threadpool(hub.quarantine, transport=TRANSPORT, original=raw,
                                    headers={"path": request.url.path, "client": _client()}, error=exc,
                                    sender=caller.id if caller else None)
            return from_hub_error(exc, message_id)
        return json_response(answer.fields, status=200 if answer.duplicate else 202)

    notice.__name__ = f"{service.id}_{operation}"
    return notice


def query_handler(service: Service, operation: str) -> Callable[..., Any]:
    declared = service.operation(operation)
    assert declared is not None and declared.query is not None
    from_rest = declared.query.from_rest

    async def query(**params: Any) -> ConnexionResponse:
        hub = current_hub()
        try:
            caller = current_caller()
            fields = {k: v for k, v in params.items() if v is not None and k not in _CONTEXT_ARGUMENTS}
            if from_rest is not None:
                fields = from_rest(fields)
            intake.check_fields(service, operation, fields)
            answer = await intake.run(hub, _query_envelope(service, operation, caller.id, caller.lg_code, fields),
                                      caller)
        except HubError as exc:
            return from_hub_error(exc)
        return json_response(answer.fields)

    query.__name__ = f"{service.id}_{operation}"
    return query


def _client() -> str:
    return request.client.host if request.client else "unknown"


def _query_envelope(service: Service, operation: str, caller_id: str, lg_code: str,
                    fields: dict[str, Any]) -> Envelope:
    """照会 over REST: the header is made from the caller and the X-Chipla-* headers."""
    h = request.headers
    header = Header(
        message_id=str(uuid.uuid4()), sent_at=now().isoformat(), lg_code=lg_code, sender_system_id=caller_id,
        service=service.id, operation=operation, spec_version=SPEC_VERSION,
        operator_id=h.get("x-chipla-operator") or None, purpose_code=h.get("x-chipla-purpose") or None,
    )
    return Envelope(header=header, body=fields, original=b"", content_type="", transport=TRANSPORT)

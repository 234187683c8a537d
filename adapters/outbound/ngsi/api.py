"""``/ngsi/v2``: the part of FIWARE Orion's NGSI-v2 API the hub's sensor entities need.

- ``GET /v2/entities``: ``type``, ``id``, ``idPattern``, ``q``, ``attrs``, ``options=keyValues,count``,
  ``limit``, ``offset``; ``Fiware-Total-Count`` with ``options=count``;
- ``GET /v2/entities/{id}``: ``type``, ``attrs``, ``options``;
- ``GET/POST /v2/subscriptions``, ``GET/DELETE /v2/subscriptions/{id}``; notifications are durable (outbox);
- ``Fiware-Service`` (tenant) is the 団体コード: required, and it must be the caller's own.

Errors are Orion's ``{"error", "description"}``. Entities are read-only here: they are made from
stored observations. The caller authenticates with its hub API key (``X-Auth-Token``, as behind a
FIWARE PEP proxy, or ``X-API-Key``) and needs the ACL entry ``ngsi/*`` (or be an admin).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.outbound.ngsi import entities as ent
from adapters.outbound.ngsi import query, states, subscriptions
from broker.registry import SystemRegistry
from broker.store import Store
from vocab import lgcode

MAX_LIMIT = 1000
DEFAULT_LIMIT = 20


class OrionError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def _fail(exc: OrionError) -> Response:
    return JSONResponse({"error": exc.error, "description": exc.description}, status_code=exc.status)


def _options(request: Request) -> set[str]:
    return {o.strip() for o in request.query_params.get("options", "").split(",") if o.strip()}


def _paging(request: Request) -> tuple[int, int]:
    try:
        limit = int(request.query_params.get("limit", DEFAULT_LIMIT))
        offset = int(request.query_params.get("offset", 0))
    except ValueError as exc:
        raise OrionError(400, "BadRequest", "limit and offset must be integers") from exc
    if not 0 < limit <= MAX_LIMIT:
        raise OrionError(400, "BadRequest", f"Bad pagination limit: /{limit}/ [must be in the range 1..{MAX_LIMIT}]")
    if offset < 0:
        raise OrionError(400, "BadRequest", "Bad pagination offset: must be a positive integer")
    return limit, offset


def _attrs(entity: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    if not wanted or "*" in wanted:
        return entity
    return {k: v for k, v in entity.items() if k in ("id", "type") or k in wanted}


class NgsiApi:
    def __init__(self, store: Store, registry: SystemRegistry) -> None:
        self.store = store
        self.registry = registry

    def routes(self) -> list[BaseRoute]:
        return [Route("/ngsi/v2/entities", self._wrap(self.list_entities)),
                Route("/ngsi/v2/entities/{entity_id}", self._wrap(self.get_entity)),
                Route("/ngsi/v2/subscriptions", self._wrap(self.subscriptions), methods=["GET", "POST"]),
                Route("/ngsi/v2/subscriptions/{sub_id}", self._wrap(self.subscription), methods=["GET", "DELETE"])]

    def _wrap(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                tenant = self._tenant(request)
                return await handler(request, tenant)
            except OrionError as exc:
                return _fail(exc)
        return endpoint

    def _tenant(self, request: Request) -> str:
        key = request.headers.get("x-auth-token") or request.headers.get("x-api-key") or ""
        caller = self.registry.system_for_api_key(key) if key else None
        if caller is None:
            raise OrionError(401, "Unauthorized", "an API key is required (X-Auth-Token or X-API-Key)")
        tenant = request.headers.get("fiware-service", "")
        if not tenant:
            raise OrionError(400, "BadRequest", "Fiware-Service (団体コード) is required")
        if not re.fullmatch(r"\d{6}", tenant) or not lgcode.is_valid(tenant):
            raise OrionError(400, "BadRequest", f"Fiware-Service {tenant[:20]!r} is not a valid 団体コード")
        if caller.lg_code != tenant:
            raise OrionError(403, "Forbidden", f"system {caller.id} may not read tenant {tenant}")
        if not self.registry.snapshot().allowed(caller.id, "ngsi", request.method.lower()):
            raise OrionError(403, "Forbidden", f"system {caller.id} has no ngsi access")
        path = request.headers.get("fiware-servicepath", "/")
        if path not in ("/", "/#"):
            raise OrionError(400, "BadRequest", "only the root service path / is used by this hub")
        return tenant

    # -- entities ----------------------------------------------------------------------------------
    def _entities(self, tenant: str) -> list[dict[str, Any]]:
        with self.store.read() as s:
            loaded = states.load(s, tenant)
        return [e for state in loaded for e in ent.entities_of(state)]

    async def list_entities(self, request: Request, tenant: str) -> Response:
        p = request.query_params
        limit, offset = _paging(request)
        try:
            statements = query.parse(p.get("q", ""))
            pattern = re.compile(p["idPattern"]) if "idPattern" in p else None
        except (query.QueryInvalid, re.error) as exc:
            raise OrionError(400, "BadRequest", f"Invalid query: {exc}") from exc
        ids = set(p["id"].split(",")) if "id" in p else None
        types = set(p["type"].split(",")) if "type" in p else None
        found = [e for e in await run_in_threadpool(self._entities, tenant)
                 if (ids is None or e["id"] in ids) and (types is None or e["type"] in types)
                 and (pattern is None or pattern.fullmatch(e["id"])) and query.matches(e, statements)]
        options = _options(request)
        wanted = [a for a in p.get("attrs", "").split(",") if a]
        page = [_attrs(e, wanted) for e in found[offset:offset + limit]]
        body = [ent.key_values(e) if "keyValues" in options else e for e in page]
        headers = {"Fiware-Total-Count": str(len(found))} if "count" in options else {}
        return JSONResponse(body, headers=headers)

    async def get_entity(self, request: Request, tenant: str) -> Response:
        entity_id = request.path_params["entity_id"]
        kind = request.query_params.get("type")
        matches = [e for e in await run_in_threadpool(self._entities, tenant)
                   if e["id"] == entity_id and (kind is None or e["type"] == kind)]
        if not matches:
            raise OrionError(404, "NotFound", "The requested entity has not been found. Check type and id")
        wanted = [a for a in request.query_params.get("attrs", "").split(",") if a]
        entity = _attrs(matches[0], wanted)
        return JSONResponse(ent.key_values(entity) if "keyValues" in _options(request) else entity)

    # -- subscriptions -----------------------------------------------------------------------------
    async def subscriptions(self, request: Request, tenant: str) -> Response:
        if request.method == "POST":
            try:
                body = await request.json()
            except ValueError as exc:
                raise OrionError(400, "ParseError", "Errors found in incoming JSON buffer") from exc
            try:
                sub_id = await run_in_threadpool(subscriptions.create, self.store, self.registry, tenant, body)
            except subscriptions.SubscriptionInvalid as exc:
                raise OrionError(400, "BadRequest", str(exc)) from exc
            return Response(status_code=201, headers={"Location": f"/ngsi/v2/subscriptions/{sub_id}"})
        limit, offset = _paging(request)
        subs = await run_in_threadpool(subscriptions.listing, self.store, tenant)
        headers = {"Fiware-Total-Count": str(len(subs))} if "count" in _options(request) else {}
        return JSONResponse(subs[offset:offset + limit], headers=headers)

    async def subscription(self, request: Request, tenant: str) -> Response:
        sub_id = request.path_params["sub_id"]
        if request.method == "DELETE":
            if not await run_in_threadpool(subscriptions.delete, self.store, self.registry, tenant, sub_id):
                raise OrionError(404, "NotFound", "The requested subscription has not been found. Check id")
            return Response(status_code=204)
        found = await run_in_threadpool(subscriptions.one, self.store, tenant, sub_id)
        if found is None:
            raise OrionError(404, "NotFound", "The requested subscription has not been found. Check id")
        return JSONResponse(found)

"""Management API: systems (credentials, ACL) and subscriptions. Admin role only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from connexion.lifecycle import ConnexionResponse
from starlette.concurrency import run_in_threadpool

from adapters.inbound.rest.context import current_caller, current_hub
from adapters.inbound.rest.problems import from_hub_error
from adapters.inbound.rest.responses import json_response
from broker import audit
from broker.errors import DuplicateConflict, HeaderInvalid, HubError, NotAllowed, RequestInvalid
from broker.registry import SubscriptionInfo, SystemInfo, SystemRegistry
from vocab import lgcode


def _admin() -> SystemInfo:
    caller = current_caller()
    if not caller.is_admin:
        raise NotAllowed(f"システム {caller.id} には管理権限がありません")
    return caller


def _system_json(info: SystemInfo, allow: list[str]) -> dict[str, Any]:
    return {"id": info.id, "name": info.name, "lgCode": info.lg_code, "bangoRiyo": info.bango_riyo,
            "roles": list(info.roles), "deliveryKind": info.delivery_kind, "endpointUrl": info.endpoint_url,
            "wsdlUrl": info.wsdl_url, "wssUsername": info.wss_username, "allow": allow, "active": info.active}


def _sub_json(sub: SubscriptionInfo) -> dict[str, Any]:
    return {"id": sub.id, "systemId": sub.system_id, "service": sub.service, "operation": sub.operation,
            "idoCategories": list(sub.categories) if sub.categories else None}


def _audit(actor: str, action: str, subject: str) -> None:
    with current_hub().store.write() as s:
        audit.append(s, actor, action, subject)


async def _run(fn: Any, status: int = 200) -> ConnexionResponse:
    try:
        result = await run_in_threadpool(fn)
    except HubError as exc:
        return from_hub_error(exc)
    if result is None:
        return ConnexionResponse(status_code=204)
    return json_response(result, status)


async def list_systems() -> ConnexionResponse:
    def work() -> Any:
        _admin()
        reg = current_hub().registry
        return [_system_json(s, reg.acl_of(s.id)) for s in sorted(reg.snapshot().systems.values(), key=lambda s: s.id)]
    return await _run(work)


async def put_system_new(body: dict[str, Any]) -> ConnexionResponse:
    def work() -> Any:
        admin = _admin()
        reg = current_hub().registry
        if not lgcode.is_valid(body["lgCode"]):
            raise HeaderInvalid(f"団体コード {body['lgCode']} の検査数字が正しくありません", code="lg_code_invalid")
        _check_urls(body)
        if body["id"] in reg.snapshot().systems:
            raise DuplicateConflict(f"system {body['id']} is already registered: PUT or PATCH "
                                    f"/systems/{body['id']} changes it", code="already_registered")
        info = reg.upsert_system(body)
        _audit(admin.id, "system.registered", info.id)
        return _system_json(info, reg.acl_of(info.id))
    return await _run(work, 201)


def _check_urls(data: dict[str, Any]) -> None:
    """``format: uri`` is not enforced by the request validator: an URL the hub will call must be an
    absolute http(s) URI in ASCII (an IRI such as ``https://Ï`` is refused, not stored)."""
    for key in ("endpointUrl", "wsdlUrl"):
        value = data.get(key)
        if value is None:
            continue
        try:
            parts = urlsplit(str(value))
            usable = parts.scheme in ("http", "https") and bool(parts.hostname) and str(value).isascii() \
                and not any(c.isspace() or ord(c) < 0x21 for c in str(value))
        except ValueError:  # e.g. an unclosed IPv6 bracket
            usable = False
        if not usable:
            raise RequestInvalid(f"{key} must be an absolute http(s) URI")


async def get_system(systemId: str) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        reg = current_hub().registry
        return _system_json(reg.system(systemId), reg.acl_of(systemId))
    return await _run(work)


async def replace_system(systemId: str, body: dict[str, Any]) -> ConnexionResponse:
    """PUT: the system becomes exactly ``body`` (secrets not given are kept)."""
    def work() -> Any:
        admin = _admin()
        reg = current_hub().registry
        reg.system(systemId)  # 404 when unknown: PUT does not create (POST /systems does)
        if body.get("id", systemId) != systemId:
            raise RequestInvalid(f"body id {body['id']} differs from the path's {systemId}")
        return _save(admin, reg, {**body, "id": systemId}, "system.replaced")
    return await _run(work)


async def update_system(systemId: str, body: dict[str, Any]) -> ConnexionResponse:
    """PATCH (JSON merge patch): only the keys given change."""
    def work() -> Any:
        admin = _admin()
        reg = current_hub().registry
        current = _system_json(reg.system(systemId), reg.acl_of(systemId))
        if body.get("id", systemId) != systemId:
            raise RequestInvalid("a system's id cannot be changed; register a new one")
        merged = {k: v for k, v in {**current, **body}.items() if v is not None and k != "wssUsername"
                  or k == "wssUsername" and v}
        return _save(admin, reg, merged, "system.updated")
    return await _run(work)


def _save(admin: SystemInfo, reg: SystemRegistry, data: dict[str, Any], action: str) -> dict[str, Any]:
    if not lgcode.is_valid(str(data["lgCode"])):
        raise HeaderInvalid(f"団体コード {data['lgCode']} の検査数字が正しくありません", code="lg_code_invalid")
    _check_urls(data)
    info = reg.upsert_system(data)
    _audit(admin.id, action, info.id)
    return _system_json(info, reg.acl_of(info.id))


async def delete_system(systemId: str, subscriptions: str | None = None) -> ConnexionResponse:
    """A system with subscriptions is removed only with ``?subscriptions=remove``: nothing is dropped
    without being asked for."""
    def work() -> Any:
        admin = _admin()
        if systemId == admin.id:
            raise DuplicateConflict("the calling system cannot remove itself")
        reg = current_hub().registry
        reg.system(systemId)
        subs = [s for s in reg.snapshot().subscriptions if s.system_id == systemId]
        if subs and subscriptions != "remove":
            raise RequestInvalid(f"system {systemId} has {len(subs)} subscriptions; DELETE "
                                 f"/systems/{systemId}?subscriptions=remove removes them with it")
        for sub in subs:
            reg.remove_subscription(sub.id)
            _audit(admin.id, "subscription.removed", f"{sub.system_id}:{sub.service}/{sub.operation}")
        reg.delete_system(systemId)
        _audit(admin.id, "system.removed", systemId)
        return None
    return await _run(work)


async def list_subscriptions() -> ConnexionResponse:
    def work() -> Any:
        _admin()
        return [_sub_json(s) for s in current_hub().registry.snapshot().subscriptions]
    return await _run(work)


async def add_subscription(body: dict[str, Any]) -> ConnexionResponse:
    def work() -> Any:
        admin = _admin()
        sub = current_hub().registry.add_subscription(body["systemId"], body["service"], body["operation"],
                                                      body.get("idoCategories"))
        _audit(admin.id, "subscription.added", f"{sub.system_id}:{sub.service}/{sub.operation}")
        return _sub_json(sub)
    return await _run(work, 201)


async def remove_subscription(subscriptionId: int) -> ConnexionResponse:
    def work() -> Any:
        admin = _admin()
        current_hub().registry.remove_subscription(subscriptionId)
        _audit(admin.id, "subscription.removed", str(subscriptionId))
        return None
    return await _run(work)

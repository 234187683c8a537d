"""Operators' side of お知らせメール (admin role): subscribers (masked), guardian links, rules,
the sent-notice log and the KPIs. Every guardian link names the operator who made it (audited)."""

from __future__ import annotations

from typing import Any

from connexion import request
from connexion.lifecycle import ConnexionResponse

from adapters.inbound.rest.notify import service
from adapters.inbound.rest.registry import _admin, _run


async def list_subscribers(lgCode: str | None = None, limit: int = 100, offset: int = 0) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        return service().listing(lgCode, limit, offset)
    return await _run(work)


def _operator() -> str:
    """The admin system and, when given, the 職員ID of the staff member acting (X-Chipla-Operator)."""
    admin = _admin()
    staff = request.headers.get("x-chipla-operator")
    return f"{admin.id}/{staff}" if staff else admin.id


async def add_guardian_link(body: dict[str, Any], **_: Any) -> ConnexionResponse:
    def work() -> Any:
        return service().link_guardian(body["lgCode"], body["email"], body["tagId"], _operator())
    return await _run(work, 201)


async def remove_guardian_link(linkId: int, **_: Any) -> ConnexionResponse:
    def work() -> Any:
        service().unlink_guardian(linkId, _operator())
    return await _run(work, 204)


async def list_rules() -> ConnexionResponse:
    def work() -> Any:
        _admin()
        return service().rules_json()
    return await _run(work)


async def list_notices(kind: str | None = None, limit: int = 100, offset: int = 0) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        return service().notices(kind, limit, offset)
    return await _run(work)


async def get_kpi(lgCode: str | None = None) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        return service().kpi(lgCode)
    return await _run(work)

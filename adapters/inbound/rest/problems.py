"""RFC 7807 problems carrying the 処理結果コード, for hub errors and connexion's own refusals."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.concurrency import run_in_threadpool

from adapters.inbound.rest.context import RAW_BODY_KEY, hub_from_scope
from broker.errors import HubError, NotAllowed, RequestInvalid
from broker.hub import Hub
from broker.reasons import scrub
from broker.result_codes import table
from broker.store import is_store_failure

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_CODE_FOR_STATUS = {400: "1012", 401: "2001", 403: "2005", 404: "3004", 405: "1011", 409: "1009",
                    413: "1007", 415: "1012", 422: "1002", 500: "5001", 503: "5002"}


def problem(status: int, code: str, title: str, detail: str, message_id: str | None = None) -> ConnexionResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail,
                            "code": code}
    if message_id:
        body["messageId"] = message_id
    return ConnexionResponse(status_code=status, mimetype=MEDIA_TYPE, content_type=MEDIA_TYPE,
                             body=json.dumps(body, ensure_ascii=False))


def from_hub_error(error: HubError, message_id: str | None = None) -> ConnexionResponse:
    return problem(error.http_status, error.result.code, error.result.ja, error.message, message_id)


async def on_hub_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HubError)
    if exc.result.code.startswith("5"):
        log.error("REST request failed: %s %s", exc.message, exc.log_detail or "")
    return from_hub_error(exc)


async def on_problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """connexion's validation and security refusals, with our code and an audit/quarantine entry."""
    assert isinstance(exc, ProblemException)
    status = exc.status or 400
    code = _CODE_FOR_STATUS.get(status, "1012" if status < 500 else "5001")
    if status == 401:
        code = "2002" if request.headers.get("x-api-key") else "2001"
    detail = scrub(str(exc.detail or exc.title or ""))
    try:
        hub = hub_from_scope(request.scope)
        body = bytes(request.scope.get(RAW_BODY_KEY, b""))
        err: HubError = NotAllowed(detail, code=table()[code].name) if status in (401, 403) else \
            RequestInvalid(detail, code=table()[code].name)
        await run_in_threadpool(hub.quarantine, transport="rest", original=body,
                                headers={"path": request.url.path, "method": request.method},
                                error=err, sender=_authenticated_sender(hub, request),
                                client=request.client.host if request.client else "unknown")
    except Exception:  # the answer to the sender matters more than the record of it
        log.exception("could not record REST refusal")
    return problem(status, code, table()[code].ja, detail)


def _authenticated_sender(hub: Hub, request: ConnexionRequest) -> str | None:
    """The system whose valid API key came with a refused request: the refusal is its, not anonymous."""
    key = request.headers.get("x-api-key")
    system = hub.registry.system_for_api_key(key) if key else None
    return system.id if system is not None else None


async def on_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if isinstance(exc, UnicodeDecodeError):
        return problem(400, "1008", table()["1008"].ja, f"body is not UTF-8: {exc.reason}")
    if isinstance(exc, json.JSONDecodeError):
        return problem(400, "1012", table()["1012"].ja, f"body is not JSON: {exc.msg}")
    if isinstance(exc, RecursionError):
        return problem(400, "1012", table()["1012"].ja, "body is nested too deeply")
    if is_store_failure(exc):  # the store is away: 5002, which senders retry
        log.warning("REST request answered 5002: the store is unreachable (%s)", type(exc).__name__)
        return problem(503, "5002", table()["5002"].ja, "保存先に接続できません。しばらくしてから送り直してください")
    log.exception("unhandled error in REST handler", exc_info=exc)
    return problem(500, "5001", table()["5001"].ja, "ハブ内部エラー")


async def on_not_found(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return problem(404, "3004", table()["3004"].ja, f"{request.url.path} is not a resource of this API")


def method_not_allowed(allowed_for: Callable[[str], list[str]]) -> Callable[..., Any]:
    """405 with the Allow header the OpenAPI document implies for the path."""

    async def handler(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        response = problem(405, "1011", table()["1011"].ja, f"{request.method} is not defined for this path")
        response.headers["Allow"] = ", ".join(allowed_for(request.url.path))
        return response

    return handler

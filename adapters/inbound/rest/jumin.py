"""REST twin of the 住民基本台帳 service: the same pipeline and rules as ``/soap/jumin``.

A REST body is checked against the JSON Schema by connexion and then against the same XSD as the
SOAP message (through the schema-guided codec), so the two doors admit exactly the same messages.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from connexion import request
from connexion.lifecycle import ConnexionResponse
from starlette.concurrency import run_in_threadpool

from adapters.inbound.rest.context import current_caller, current_hub, raw_body
from adapters.inbound.rest.problems import from_hub_error
from adapters.inbound.rest.responses import json_response
from adapters.soap import codec
from broker.clock import now
from broker.envelope import Envelope, Header
from broker.errors import HeaderInvalid, HubError, RequestInvalid, SchemaInvalid
from broker.result_codes import table
from broker.services import jumin

SINCE_THE_START = "1970-01-01T00:00:00Z"


def _result(code: str) -> dict[str, str]:
    return {"code": code, "message": table()[code].ja}


async def post_ido(body: dict[str, Any]) -> ConnexionResponse:
    hub = current_hub()
    raw = raw_body()
    message_id = str(body.get("meta", {}).get("messageId", "")) or None
    caller = None
    try:
        caller = current_caller()
        _check_header(body["meta"])
        header = Header.from_wire(body["meta"])
        if header.service != jumin.SERVICE or header.operation != jumin.NOTIFY:
            raise HeaderInvalid(f"meta.service/operation must be {jumin.SERVICE}/{jumin.NOTIFY}")
        _check_xsd("IdoTsuchiRequest", {"ido": body["ido"]})
        env = Envelope(header=header, body={"ido": body["ido"]}, original=raw,
                       content_type="application/json", channel="rest")
        receipt = await asyncio.wrap_future(hub.submit(env, caller))
    except HubError as exc:
        await run_in_threadpool(hub.quarantine, channel="rest", original=raw,
                                headers={"path": "/api/v1/jumin/ido", "client": _client()}, error=exc,
                                sender=caller.id if caller else None)
        return from_hub_error(exc, message_id)
    code = "0001" if receipt.duplicate else "0000"
    return json_response({
        "result": _result(code), "receiptId": receipt.receipt_id,
        "acceptedAt": receipt.accepted_at.isoformat(), "duplicate": receipt.duplicate,
    }, status=200 if receipt.duplicate else 202)


def _client() -> str:
    return request.client.host if request.client else "unknown"


def _check_xsd(element: str, data: dict[str, Any]) -> None:
    codec.check(f"{{{codec.NS_JUMIN}}}{element}", data, SchemaInvalid)


def _check_header(meta: dict[str, Any]) -> None:
    """The meta object obeys the same XSD as the SOAP PfHeader block."""
    codec.check(f"{{{codec.NS_COMMON}}}PfHeader", meta, HeaderInvalid)


def _query_envelope(operation: str) -> Envelope:
    """照会 over REST: the header is made from the caller and the X-Chipla-* headers."""
    caller = current_caller()
    h = request.headers
    header = Header(
        message_id=str(uuid.uuid4()), sent_at=now().isoformat(), lg_code=caller.lg_code,
        sender_system_id=caller.id, service=jumin.SERVICE, operation=operation, spec_version="1.0",
        operator_id=h.get("x-chipla-operator") or None, purpose_code=h.get("x-chipla-purpose") or None,
    )
    return Envelope(header=header, body={}, original=b"", content_type="", channel="rest")


async def _guarded(operation: str, subject: str, work: Any) -> ConnexionResponse:
    hub = current_hub()
    try:
        env = _query_envelope(operation)
        caller = current_caller()
        await run_in_threadpool(hub.record_query, caller, env, subject)
        return json_response(await run_in_threadpool(work, hub, caller, env))
    except HubError as exc:
        return from_hub_error(exc)


def _check_query(element: str, values: dict[str, Any]) -> None:
    """Query parameters obey the XSD of the SOAP request they stand for: the doors admit the same."""
    codec.check(f"{{{codec.NS_JUMIN}}}{element}", {k: v for k, v in values.items() if v is not None},
                RequestInvalid)


async def get_resident(atenaNo: str, asOf: str | None = None, **_: Any) -> ConnexionResponse:
    def work(hub: Any, caller: Any, env: Envelope) -> dict[str, Any]:
        _check_query("JuminShokaiRequest", {"atenaNo": atenaNo, "asOf": asOf})
        record = jumin.get_resident(hub.store, env.header.lg_code, atenaNo, asOf)
        return {"result": _result("0000"), "jumin": hub.entitled_view(caller, env.header, record)}
    return await _guarded("JuminShokai", atenaNo, work)


async def get_setai(setaiNo: str, asOf: str | None = None, **_: Any) -> ConnexionResponse:
    def work(hub: Any, caller: Any, env: Envelope) -> dict[str, Any]:
        _check_query("SetaiShokaiRequest", {"setaiNo": setaiNo, "asOf": asOf})
        members = jumin.get_setai(hub.store, env.header.lg_code, setaiNo, asOf)
        return {"result": _result("0000"), "setaiNo": setaiNo,
                "member": [hub.entitled_view(caller, env.header, m) for m in members]}
    return await _guarded("SetaiShokai", f"setai:{setaiNo}", work)


async def list_ido(since: str | None = None, cursor: str | None = None, pageSize: int = 100,
                   **_: Any) -> ConnexionResponse:
    def work(hub: Any, caller: Any, env: Envelope) -> dict[str, Any]:
        # the SOAP twin names exactly one starting point; REST lets cursor win and defaults to the start
        start = {"cursor": cursor} if cursor is not None else {"since": since or SINCE_THE_START}
        _check_query("IdoIchiranShokaiRequest", {**start, "pageSize": pageSize})
        since_dt = jumin.parse_since(since) if since else None
        page = jumin.list_ido(hub.store, env.header.lg_code, since=since_dt, cursor=cursor, page_size=pageSize)
        entries = [{"receiptId": e["receiptId"], "acceptedAt": e["acceptedAt"].isoformat(),
                    "ido": {**e["ido"], "jumin": hub.entitled_view(caller, env.header, e["ido"]["jumin"])}}
                   for e in page.entries]
        return {"result": _result("0000"), "entry": entries, "nextCursor": page.next_cursor,
                "hasMore": page.has_more}
    return await _guarded("IdoIchiranShokai", "ido-list", work)

"""The REST functions of the 個人住民税 service that are not plain notices or JSON queries.

``GET /zei/tsuchi/{receiptId}/seihon`` answers the signed 正本 itself (``application/xml``, byte-exact,
so the employer can verify the signature as received); it runs the declared SeihonShutoku 照会 through
the hub (ACL, audit, own notices only, recorded as downloaded). ``GET /zei/kpi`` is the town's
特別徴収税額通知 電子化率 of a 年度 (admin only).
"""

from __future__ import annotations

import uuid
from typing import Any

from connexion import request
from connexion.lifecycle import ConnexionResponse
from starlette.concurrency import run_in_threadpool

from adapters.inbound.rest.context import current_caller, current_hub
from adapters.inbound.rest.problems import from_hub_error
from adapters.inbound.rest.responses import json_response
from broker.clock import now
from broker.envelope import Envelope, Header
from broker.errors import HubError, NotAllowed
from broker.services.zei import kpi as zei_kpi
from broker.services.zei import queries

SPEC_VERSION = "1.0"


def _envelope(caller_id: str, lg_code: str, operation: str, fields: dict[str, Any]) -> Envelope:
    h = request.headers
    header = Header(message_id=str(uuid.uuid4()), sent_at=now().isoformat(), lg_code=lg_code,
                    sender_system_id=caller_id, service=queries.SERVICE, operation=operation,
                    spec_version=SPEC_VERSION, operator_id=h.get("x-chipla-operator") or None,
                    purpose_code=h.get("x-chipla-purpose") or None)
    return Envelope(header=header, body=fields, original=b"", content_type="", transport="rest")


async def seihon(receiptId: str) -> ConnexionResponse:  # noqa: N803 - the contract's parameter name
    hub = current_hub()
    try:
        caller = current_caller()
        env = _envelope(caller.id, caller.lg_code, "SeihonShutoku", {"receiptId": receiptId})
        answer = await run_in_threadpool(hub.answer, env, caller)
    except HubError as exc:
        return from_hub_error(exc)
    return ConnexionResponse(status_code=200, mimetype="application/xml",
                             content_type="application/xml; charset=utf-8", body=bytes(answer["seihon"]))


async def kpi(nendo: int) -> ConnexionResponse:
    hub = current_hub()
    try:
        caller = current_caller()
        if not caller.is_admin:
            raise NotAllowed("電子化率は運用管理者だけが参照できます")
        addressees = zei_kpi.download_addressees(hub.registry.snapshot(), caller.lg_code)
        lg_code = caller.lg_code

        def compute() -> dict[str, Any]:
            with hub.store.read() as s:
                return zei_kpi.denshika(s, lg_code, int(nendo), addressees)

        data = await run_in_threadpool(compute)
    except HubError as exc:
        return from_hub_error(exc)
    return json_response(data)

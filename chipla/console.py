"""Operator console at ``/console/``: a static page that talks to the REST API with an admin key,
plus one overview endpoint. Personal fields are masked; looking at a message is audited by the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from broker.clock import as_jst
from broker.models import Delivery, Message, Quarantine
from chipla.wiring import Parts

PAGE = Path(__file__).resolve().parent / "console_page" / "index.html"


def console_routes(parts: Parts) -> list[BaseRoute]:
    async def page(_: Request) -> Response:
        return FileResponse(PAGE, media_type="text/html; charset=utf-8")

    async def overview(request: Request) -> Response:
        caller = parts.registry.system_for_api_key(request.headers.get("x-api-key", ""))
        if caller is None or not caller.is_admin:
            return JSONResponse({"title": "認証が必要です", "status": 401, "code": "2001"}, status_code=401,
                                media_type="application/problem+json")
        return JSONResponse(await run_in_threadpool(_overview, parts))

    return [Route("/console/", page), Route("/console/api/overview", overview)]


def _overview(parts: Parts) -> dict[str, Any]:
    with parts.store.read() as s:
        counts = dict(s.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        by_dest = [
            {"destination": d, "status": st, "count": n}
            for d, st, n in s.execute(select(Delivery.destination, Delivery.status, func.count())
                                      .group_by(Delivery.destination, Delivery.status)
                                      .order_by(Delivery.destination)).all()
        ]
        recent = s.execute(select(Message.receipt_id, Message.sender_system_id, Message.operation,
                                  Message.subject_key, Message.accepted_at, Message.channel)
                           .order_by(Message.seq.desc()).limit(20)).all()
        quarantine = s.execute(select(Quarantine.id, Quarantine.received_at, Quarantine.channel,
                                      Quarantine.sender, Quarantine.result_code, Quarantine.reason)
                               .order_by(Quarantine.id.desc()).limit(20)).all()
        total = s.execute(select(func.count()).select_from(Message)).scalar_one()
    return {
        "messages": total,
        "deliveries": counts,
        "byDestination": by_dest,
        "recent": [{"receiptId": r.receipt_id, "sender": r.sender_system_id, "operation": r.operation,
                    "subject": _mask(r.subject_key), "acceptedAt": as_jst(r.accepted_at).isoformat(),
                    "channel": r.channel} for r in recent],
        "quarantine": [{"id": q.id, "receivedAt": as_jst(q.received_at).isoformat(), "channel": q.channel,
                        "sender": q.sender, "code": q.result_code, "reason": q.reason[:200]} for q in quarantine],
    }


def _mask(value: str) -> str:
    """宛名番号 in lists: enough to tell rows apart, not enough to identify a person."""
    return value[:2] + "*" * max(0, len(value) - 4) + value[-2:] if len(value) > 4 else "****"

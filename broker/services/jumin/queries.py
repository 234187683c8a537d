"""The 住民基本台帳 照会, answered from the projection: resident, household, and the change list.

Each query is door-neutral: it takes the request fields (the same names in the SOAP body and in the
REST path and query parameters) and returns the response fields; the door adds the 結果 and the
wire form. Every record leaves through the caller's entitled view.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from broker.clock import as_jst
from broker.errors import NotFound, RequestInvalid
from broker.models import Message
from broker.service import Query, QueryContext
from broker.services.jumin.projection import ResidentVersion, as_of_day, resident_as_of
from broker.store import Store

SERVICE = "jumin"
NOTIFY = "IdoTsuchi"
RECORD = "jumin"  # where the resident record sits in a body, for the field classes
MAX_SEQ = 2**63 - 1
SINCE_THE_START = "1970-01-01T00:00:00Z"


def get_resident(store: Store, lg_code: str, atena_no: str, as_of: str | None = None) -> dict[str, Any]:
    with store.read() as s:
        record = resident_as_of(s, lg_code, atena_no, as_of)
    if record is None:
        raise NotFound(f"宛名番号 {atena_no} の住民は記録されていません", code="resident_not_found")
    return record


def get_setai(store: Store, lg_code: str, setai_no: str, as_of: str | None = None) -> list[dict[str, Any]]:
    """Members of the household as of the date: residents whose latest record names this 世帯."""
    with store.read() as s:
        candidates = s.execute(
            select(ResidentVersion.atena_no).distinct()
            .where(ResidentVersion.lg_code == lg_code, ResidentVersion.setai_no == setai_no,
                   ResidentVersion.valid_from <= as_of_day(as_of))
        ).scalars().all()
        members = []
        for atena_no in sorted(candidates):
            record = resident_as_of(s, lg_code, atena_no, as_of)
            if record and record["shikibetsu"]["setaiNo"] == setai_no and record["jotai"]["juminJotai"] == "1":
                members.append(record)
    if not members:
        raise NotFound(f"世帯番号 {setai_no} の世帯は記録されていません", code="setai_not_found")
    members.sort(key=lambda r: (r["zokusei"]["zokugara"], r["shikibetsu"]["atenaNo"]))
    return members


@dataclass
class IdoPage:
    entries: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Only the exact spelling ``encode_cursor`` makes, for a sequence number a store can hold."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        prefix, _, number = raw.partition(":")
        if prefix != "seq" or not number.isdigit() or not number.isascii() or str(int(number)) != number:
            raise ValueError(raw)
        seq = int(number)
        if seq > MAX_SEQ or encode_cursor(seq) != cursor:
            raise ValueError(raw)
        return seq
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestInvalid(f"cursor {cursor[:40]!r} is not one this hub issued") from exc


def list_ido(store: Store, lg_code: str, *, since: datetime | None = None, cursor: str | None = None,
             page_size: int = 100) -> IdoPage:
    """異動一覧照会: accepted changes after a cursor (or a time), in accept order."""
    if not 1 <= page_size <= 1000:
        raise RequestInvalid("pageSize must be between 1 and 1000")
    with store.read() as s:
        q = select(Message.seq, Message.receipt_id, Message.accepted_at, Message.canonical).where(
            Message.lg_code == lg_code, Message.service == SERVICE, Message.operation == NOTIFY)
        if cursor is not None:
            q = q.where(Message.seq > decode_cursor(cursor))
        elif since is not None:
            q = q.where(Message.accepted_at > as_jst(since))
        rows = s.execute(q.order_by(Message.seq).limit(page_size + 1)).all()
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    last = rows[-1].seq if rows else (decode_cursor(cursor) if cursor else 0)
    if not rows and cursor is None and since is not None:
        with store.read() as s:
            last = s.execute(select(func.coalesce(func.max(Message.seq), 0)).where(
                Message.lg_code == lg_code, Message.service == SERVICE,
                Message.accepted_at <= as_jst(since))).scalar_one()
    entries = [{"receiptId": r.receipt_id, "acceptedAt": as_jst(r.accepted_at), "ido": r.canonical["ido"]}
               for r in rows]
    return IdoPage(entries, encode_cursor(last), has_more)


def parse_since(value: str | None) -> datetime | None:
    """``since`` of 異動一覧照会: an instant, so it must carry its UTC offset (both doors alike)."""
    if not value:
        return None
    try:
        since = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise RequestInvalid("since is not a date-time") from exc
    if since.tzinfo is None:
        raise RequestInvalid("since needs a UTC offset")
    return since


# -- the declared queries ----------------------------------------------------------------------

def _resident(ctx: QueryContext, req: dict[str, Any]) -> dict[str, Any]:
    record = get_resident(ctx.store, ctx.lg_code, str(req["atenaNo"]), req.get("asOf"))
    return {"jumin": ctx.view(record, RECORD)}


def _setai(ctx: QueryContext, req: dict[str, Any]) -> dict[str, Any]:
    members = get_setai(ctx.store, ctx.lg_code, str(req["setaiNo"]), req.get("asOf"))
    return {"setaiNo": req["setaiNo"], "member": [ctx.view(m, RECORD) for m in members]}


def _ido_list(ctx: QueryContext, req: dict[str, Any]) -> dict[str, Any]:
    page = list_ido(ctx.store, ctx.lg_code, since=parse_since(req.get("since")), cursor=req.get("cursor"),
                    page_size=int(req.get("pageSize") or 100))
    entries = [{**e, "ido": {**e["ido"], "jumin": ctx.view(e["ido"]["jumin"], RECORD)}} for e in page.entries]
    return {"entry": entries, "nextCursor": page.next_cursor, "hasMore": page.has_more}


JUMIN_SHOKAI = Query(answer=_resident, subject=lambda req: str(req["atenaNo"]))
SETAI_SHOKAI = Query(answer=_setai, subject=lambda req: f"setai:{req['setaiNo']}")
def _ido_list_from_rest(params: dict[str, Any]) -> dict[str, Any]:
    """The SOAP twin names exactly one starting point; REST lets cursor win and defaults to the start."""
    start = {"cursor": params["cursor"]} if params.get("cursor") is not None else \
        {"since": params.get("since") or SINCE_THE_START}
    return {**start, **({"pageSize": params["pageSize"]} if params.get("pageSize") is not None else {})}


IDO_ICHIRAN_SHOKAI = Query(answer=_ido_list, subject=lambda req: "ido-list", from_rest=_ido_list_from_rest)

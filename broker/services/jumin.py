"""住民基本台帳 (service ``jumin``): the rules the schema alone cannot express, and the 照会 queries.

Accepted 異動 are projected into ``resident_versions`` (one row per change, valid from its 異動日),
which answers 住民基本情報照会 and 世帯照会 as of any date.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func, select, tuple_
from sqlalchemy.orm import Session

from broker.clock import as_jst
from broker.errors import CodeUnknown, HubError, NotFound, RequestInvalid, Stale
from broker.models import Message, ResidentVersion, table_of
from broker.store import Store
from vocab import codelists

SERVICE = "jumin"
NOTIFY = "IdoTsuchi"


def subject_key(ido: dict[str, Any]) -> str:
    return str(ido["jumin"]["shikibetsu"]["atenaNo"])


def check_codes(ido: dict[str, Any]) -> None:
    """Every coded field must be on its code list; the error names the list and the value."""
    jumin = ido["jumin"]
    checks = [
        ("ido_jiyu", ido.get("idoJiyu"), "ido.idoJiyu"),
        ("ido_jiyu", jumin.get("jotai", {}).get("idoJiyu"), "ido.jumin.jotai.idoJiyu"),
        ("seibetsu", jumin.get("zokusei", {}).get("seibetsu"), "ido.jumin.zokusei.seibetsu"),
        ("zokugara", jumin.get("zokusei", {}).get("zokugara"), "ido.jumin.zokusei.zokugara"),
    ]
    for list_name, value, where in checks:
        if value is None:
            continue
        try:
            codelists.load(list_name).label(str(value))
        except ValueError as exc:
            raise CodeUnknown(f"{where}: {exc}") from exc


def ido_category(ido: dict[str, Any]) -> str | None:
    """増 / 減 / 変更 of the 異動事由, for subscriptions that want only some."""
    try:
        return codelists.load("ido_jiyu").category(str(ido["idoJiyu"]))
    except (KeyError, ValueError):
        return None


class JuminRules:
    """The accept-time rules of 住民異動通知, for a whole group at once.

    A 異動 dated before the latest recorded one for the same resident is refused (1010); accepted
    ones are projected into ``resident_versions``.
    """

    def refusals(self, s: Session, items: list[Any]) -> dict[int, HubError]:
        keys = {(p.derived.facts["lg_code"], p.derived.facts["atena_no"]) for p in items}
        latest: dict[tuple[str, str], str] = {
            (lg, atena): day for lg, atena, day in s.execute(
                select(ResidentVersion.lg_code, ResidentVersion.atena_no, func.max(ResidentVersion.valid_from))
                .where(tuple_(ResidentVersion.lg_code, ResidentVersion.atena_no).in_(list(keys)))
                .group_by(ResidentVersion.lg_code, ResidentVersion.atena_no))
        }
        refused: dict[int, HubError] = {}
        for k, p in enumerate(items):
            f = p.derived.facts
            key = (f["lg_code"], f["atena_no"])
            day = latest.get(key)
            if day is not None and f["ido_date"] < day:
                refused[k] = Stale(f"異動日 {f['ido_date']} は宛名番号 {f['atena_no']} の最新の異動日 {day} より前です")
            else:
                latest[key] = max(day or "", f["ido_date"])
        return refused

    def rows(self, accepted: list[tuple[Any, int]]) -> list[tuple[Table, list[dict[str, Any]]]]:
        return [(table_of(ResidentVersion), [{
            "lg_code": p.derived.facts["lg_code"], "atena_no": p.derived.facts["atena_no"],
            "setai_no": str(p.envelope.body["ido"]["jumin"]["shikibetsu"]["setaiNo"]),
            "valid_from": p.derived.facts["ido_date"], "message_seq": seq,
            "record": p.envelope.body["ido"]["jumin"],
        } for p, seq in accepted])]


RULES = JuminRules()


def facts(lg_code: str, ido: dict[str, Any]) -> dict[str, str]:
    return {"lg_code": lg_code, "atena_no": subject_key(ido), "ido_date": str(ido["idoDate"])}


# -- 照会 -------------------------------------------------------------------------------------------

_XS_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?", re.ASCII)
MAX_SEQ = 2**63 - 1


def _as_of(value: str | None) -> str:
    """The civil date of an xs:date (its zone, if any, names where that date is meant)."""
    if not value:
        return date.today().isoformat()
    match = _XS_DATE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError as exc:
        raise RequestInvalid("asOf must be a date (YYYY-MM-DD, years 0001–9999)") from exc


def parse_since(value: str) -> datetime:
    """``since`` of 異動一覧照会: an instant, so it must carry its UTC offset (both doors alike)."""
    try:
        since = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RequestInvalid("since is not a date-time") from exc
    if since.tzinfo is None:
        raise RequestInvalid("since needs a UTC offset")
    return since


def resident_as_of(s: Session, lg_code: str, atena_no: str, as_of: str | None) -> dict[str, Any] | None:
    row = s.execute(
        select(ResidentVersion.record)
        .where(ResidentVersion.lg_code == lg_code, ResidentVersion.atena_no == atena_no,
               ResidentVersion.valid_from <= _as_of(as_of))
        .order_by(ResidentVersion.valid_from.desc(), ResidentVersion.message_seq.desc())
        .limit(1)
    ).scalar()
    return dict(row) if row is not None else None


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
                   ResidentVersion.valid_from <= _as_of(as_of))
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

"""住民基本台帳 (service ``jumin``): the rules the schema alone cannot express, and the 照会 queries.

Accepted 異動 are projected into ``resident_versions`` (one row per change, valid from its 異動日),
which answers 住民基本情報照会 and 世帯照会 as of any date.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker.clock import as_jst
from broker.errors import CodeUnknown, NotFound, RequestInvalid, Stale
from broker.models import Message, ResidentVersion
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


def stale_check(lg_code: str, ido: dict[str, Any]):  # type: ignore[no-untyped-def]
    """A 異動 dated before the latest recorded one for the same resident is refused (1010)."""
    atena_no = subject_key(ido)
    ido_date = str(ido["idoDate"])

    def check(s: Session) -> None:
        latest = s.execute(
            select(func.max(ResidentVersion.valid_from)).where(
                ResidentVersion.lg_code == lg_code, ResidentVersion.atena_no == atena_no)
        ).scalar()
        if latest is not None and ido_date < latest:
            raise Stale(f"異動日 {ido_date} は宛名番号 {atena_no} の最新の異動日 {latest} より前です")

    return check


def projector(lg_code: str, ido: dict[str, Any]):  # type: ignore[no-untyped-def]
    jumin = ido["jumin"]

    def project(s: Session, message_seq: int) -> None:
        s.add(ResidentVersion(
            lg_code=lg_code, atena_no=str(jumin["shikibetsu"]["atenaNo"]),
            setai_no=str(jumin["shikibetsu"]["setaiNo"]), valid_from=str(ido["idoDate"]),
            message_seq=message_seq, record=jumin,
        ))

    return project


# -- 照会 -------------------------------------------------------------------------------------------

def _as_of(value: str | None) -> str:
    return value or date.today().isoformat()


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
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = raw.partition(":")
        if prefix != "seq":
            raise ValueError(prefix)
        return int(number)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestInvalid(f"cursor {cursor!r} is not one this hub issued") from exc


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
    entries = [{"receiptId": r.receipt_id, "acceptedAt": as_jst(r.accepted_at), "ido": r.canonical["ido"]} for r in rows]
    return IdoPage(entries, encode_cursor(last), has_more)

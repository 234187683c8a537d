"""The message browser's query: accepted messages, dead letters and quarantine behind one set of filters.

Every filter is an exact match on an indexed or short column, and the subject key (宛名番号, device id)
is compared for equality only — never a pattern over personal data, so a search cannot fish for
"everyone whose number starts with …". Results are paged by keyset (newest first).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, not_, select

from broker.clock import JST
from broker.models import Delivery, Message, Quarantine
from broker.store import Store

PAGE_SIZE = 50
KINDS = {"messages": "受付済み電文", "dead": "デッドレター", "quarantine": "隔離 (受付拒否)"}
STATUSES = {"": "すべて", "delivered": "配信済み", "in_progress": "配信中", "dead_letter": "デッドレターあり",
            "accepted": "配信先なし"}


@dataclass(frozen=True)
class Filters:
    kind: str = "messages"
    receipt_id: str = ""
    message_id: str = ""
    sender: str = ""
    destination: str = ""
    service: str = ""
    operation: str = ""
    status: str = ""
    subject_key: str = ""
    since: str = ""  # datetime-local text, JST
    until: str = ""
    before: int | None = None  # keyset: rows older than this seq/id
    errors: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, form: dict[str, str]) -> Filters:
        values = {k: str(form.get(k, "") or "").strip()[:80] for k in (
            "kind", "receipt_id", "message_id", "sender", "destination", "service", "operation", "status",
            "subject_key", "since", "until")}
        errors = []
        if values["kind"] not in KINDS:
            values["kind"] = "messages"
        if values["status"] not in STATUSES:
            errors.append("状態の指定が正しくありません")
            values["status"] = ""
        for key in ("since", "until"):
            if values[key] and _when(values[key]) is None:
                errors.append(f"{'開始' if key == 'since' else '終了'}日時は 2026-11-29T09:00 の形で入力してください")
                values[key] = ""
        before_text = str(form.get("before", "") or "")
        before = int(before_text) if before_text.isdigit() else None
        return cls(**values, before=before, errors=errors)  # type: ignore[arg-type]

    def without_page(self) -> Filters:
        return replace(self, before=None)

    def as_form(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in ("kind", "receipt_id", "message_id", "sender", "destination",
                                              "service", "operation", "status", "subject_key", "since", "until")}


def _when(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=JST)


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    next_before: int | None


def search(store: Store, f: Filters) -> Page:
    if f.kind == "quarantine":
        return _quarantine(store, f)
    return _messages(store, f)


def _delivery_status(status: str) -> Any:
    def has(*states: str) -> Any:
        return exists().where(Delivery.message_seq == Message.seq, Delivery.status.in_(states))
    if status == "dead_letter":
        return has("dead")
    if status == "in_progress":
        return has("pending", "in_flight")
    if status == "delivered":
        return and_(has("delivered"), not_(has("pending", "in_flight", "dead")))
    if status == "accepted":
        return not_(exists().where(Delivery.message_seq == Message.seq))
    return None


def _messages(store: Store, f: Filters) -> Page:
    conditions: list[Any] = []
    status = "dead_letter" if f.kind == "dead" else f.status
    for column, value in ((Message.receipt_id, f.receipt_id), (Message.message_id, f.message_id),
                          (Message.sender_system_id, f.sender), (Message.service, f.service),
                          (Message.operation, f.operation), (Message.subject_key, f.subject_key)):
        if value:
            conditions.append(column == value)
    if f.destination:
        conditions.append(exists().where(Delivery.message_seq == Message.seq, Delivery.destination == f.destination,
                                         *([Delivery.status == "dead"] if f.kind == "dead" else [])))
    if (cond := _delivery_status(status)) is not None:
        conditions.append(cond)
    if f.since and (since := _when(f.since)):
        conditions.append(Message.accepted_at >= since)
    if f.until and (until := _when(f.until)):
        conditions.append(Message.accepted_at < until + timedelta(minutes=1))
    query = select(Message.seq, Message.receipt_id, Message.message_id, Message.sender_system_id,
                                Message.service, Message.operation, Message.subject_key, Message.transport,
                                Message.accepted_at).where(*conditions)
    with store.read() as s:
        total = s.execute(select(func.count()).select_from(Message).where(*conditions)).scalar_one()
        if f.before is not None:
            query = query.where(Message.seq < f.before)
        rows = s.execute(query.order_by(Message.seq.desc()).limit(PAGE_SIZE + 1)).all()
        seqs = [r.seq for r in rows[:PAGE_SIZE]]
        states: dict[int, list[tuple[str, str]]] = {}
        for seq, dest, st in s.execute(select(Delivery.message_seq, Delivery.destination, Delivery.status)
                                       .where(Delivery.message_seq.in_(seqs)).order_by(Delivery.destination)):
            states.setdefault(seq, []).append((dest, st))
    out = [{"seq": r.seq, "receipt_id": r.receipt_id, "message_id": r.message_id, "sender": r.sender_system_id,
            "service": r.service, "operation": r.operation, "subject_key": r.subject_key, "channel": r.transport,
            "at": r.accepted_at, "deliveries": states.get(r.seq, []),
            "status": overall([st for _, st in states.get(r.seq, [])])} for r in rows[:PAGE_SIZE]]
    return Page(out, int(total), rows[PAGE_SIZE - 1].seq if len(rows) > PAGE_SIZE else None)


def _quarantine(store: Store, f: Filters) -> Page:
    conditions: list[Any] = []
    if f.sender:
        conditions.append(Quarantine.sender == f.sender)
    if f.since and (since := _when(f.since)):
        conditions.append(Quarantine.received_at >= since)
    if f.until and (until := _when(f.until)):
        conditions.append(Quarantine.received_at < until + timedelta(minutes=1))
    query = select(Quarantine.id, Quarantine.received_at, Quarantine.transport, Quarantine.sender,
                   Quarantine.result_code, Quarantine.reason).where(*conditions)
    with store.read() as s:
        total = s.execute(select(func.count()).select_from(Quarantine).where(*conditions)).scalar_one()
        if f.before is not None:
            query = query.where(Quarantine.id < f.before)
        rows = s.execute(query.order_by(Quarantine.id.desc()).limit(PAGE_SIZE + 1)).all()
    out = [{"id": r.id, "at": r.received_at, "channel": r.transport, "sender": r.sender or "（不明）",
            "code": r.result_code, "reason": r.reason[:160]} for r in rows[:PAGE_SIZE]]
    return Page(out, int(total), rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None)


def overall(statuses: list[str]) -> str:
    if not statuses:
        return "accepted"
    if any(s == "dead" for s in statuses):
        return "dead_letter"
    if all(s == "delivered" for s in statuses):
        return "delivered"
    return "in_progress"

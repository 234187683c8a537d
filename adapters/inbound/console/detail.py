"""Everything the hub knows about one message, assembled for the detail page.

Original (pretty, byte-exact in storage), envelope, each mapped form with mapping id, version and
lineage (output field ← source fields through transforms) — or, when the mapping failed, why and
when the derive stage tries again — every delivery with each attempt's outcome, response and
duration, and the audit entries that name the message or its deliveries. An accept group or a group
of delivery outcomes has one entry for all its messages: the message and attempt rows name it
(``audit_seq``), and the page shows only this message's part of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from adapters.inbound.console import masking
from adapters.inbound.console.search import overall
from broker.audit import DELIVERIES_RECORDED, MESSAGES_ACCEPTED
from broker.audit_message import accepted_part, delivery_parts
from broker.clock import as_jst
from broker.models import AuditEntry, Delivery, DeliveryAttempt, DeriveFailure, MappedRecord, Message, Quarantine
from broker.result_codes import table
from broker.store import Store


@dataclass
class MessageView:
    receipt_id: str
    seq: int
    header: dict[str, Any]
    original: str | None
    original_size: int
    original_sha256: str
    content_type: str
    channel: str
    accepted_at: Any
    status: str
    mapped: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    masked: bool
    #: the derive stage could not make the mapped forms: attempts, error, failed_at, next_attempt_at
    mapping_failure: dict[str, Any] | None = None


def message(store: Store, receipt_id: str, *, masked: bool,
            catch_up: Callable[[int], None] | None = None) -> MessageView | None:
    """``catch_up(seq)`` (the derive stage's) first makes every mapped form up to this message, so
    the page never shows a message without its mapped form merely because it is not derived yet."""
    if catch_up is not None:
        with store.read() as s:
            seq = s.execute(select(Message.seq).where(Message.receipt_id == receipt_id)).scalar()
        if seq is not None:
            catch_up(seq)
    with store.read() as s:
        m = s.execute(select(Message).where(Message.receipt_id == receipt_id)).scalar_one_or_none()
        if m is None:
            return None
        failure = s.get(DeriveFailure, m.seq)
        deliveries = s.execute(select(Delivery).where(Delivery.message_seq == m.seq)
                               .order_by(Delivery.destination)).scalars().all()
        attempts = s.execute(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(
            [d.id for d in deliveries])).order_by(DeliveryAttempt.id)).scalars().all()
        mapped = s.execute(select(MappedRecord).where(MappedRecord.message_seq == m.seq)
                           .order_by(MappedRecord.id)).scalars().all()
        subjects = [m.receipt_id] + [f"{d.destination}:{d.id}" for d in deliveries] + [str(d.id) for d in deliveries]
        groups = {m.audit_seq, *(a.audit_seq for a in attempts)} - {None}
        audit = s.execute(select(AuditEntry).where(or_(AuditEntry.subject.in_(subjects), AuditEntry.seq.in_(groups)))
                          .order_by(AuditEntry.seq)).scalars().all()
    by_delivery: dict[int, list[dict[str, Any]]] = {}
    for a in attempts:
        by_delivery.setdefault(a.delivery_id, []).append({
            "no": a.attempt_no, "started": a.started_at, "finished": a.finished_at, "outcome": a.outcome,
            "ms": round((as_jst(a.finished_at) - as_jst(a.started_at)).total_seconds() * 1000),
            "response": response_code(a.detail), "detail": a.detail or ""})
    header = dict(m.envelope.get("header", m.envelope)) if isinstance(m.envelope, dict) else {}
    return MessageView(
        receipt_id=m.receipt_id, seq=m.seq, header=masking.mask_header(header) if masked else header,
        original=masking.pretty(m.original, m.content_type, m.service, masked=masked),
        original_size=len(m.original), original_sha256=m.original_sha256, content_type=m.content_type,
        channel=m.transport, accepted_at=m.accepted_at,
        status=overall([d.status for d in deliveries]),
        mapped=[{"mapping_id": r.mapping_id, "version": r.mapping_version,
                 "output": masking.mask_mapped(r.output) if masked else r.output,
                 "lineage": [e for e in r.lineage if isinstance(e, dict) and "field" in e],
                 "errors": [e["error"] for e in r.lineage if isinstance(e, dict) and "error" in e]}
                for r in mapped],
        deliveries=[{"id": d.id, "destination": d.destination, "status": d.status, "attempts": d.attempts,
                     "last_error": d.last_error or "", "created": d.created_at, "delivered": d.delivered_at,
                     "latency_ms": (round((as_jst(d.delivered_at) - as_jst(m.accepted_at)).total_seconds() * 1000)
                                    if d.delivered_at else None),
                     "log": by_delivery.get(d.id, [])} for d in deliveries],
        audit=[{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "subject": e.subject,
                "detail": own_part(e, m.receipt_id, [d.id for d in deliveries])} for e in audit],
        masked=masked,
        mapping_failure=None if failure is None else {
            "attempts": failure.attempts, "failed_at": failure.failed_at, "next_attempt_at": failure.next_attempt_at,
            # an exception's text may quote a value of the message: masked, only its kind is shown
            "error": failure.error.split(":", 1)[0] + " (詳細は伏せています)" if masked else failure.error})


def own_part(entry: AuditEntry, receipt_id: str, delivery_ids: list[int]) -> dict[str, Any]:
    """An entry's detail as far as it concerns this message: of a group entry, only its own part (the
    other messages of the group are not this page's business), with the group's size."""
    if entry.action == MESSAGES_ACCEPTED:
        part = accepted_part(entry, receipt_id)
        return {"messages": [part] if part else [], "ofGroup": len(entry.detail.get("messages", []))}
    if entry.action == DELIVERIES_RECORDED:
        return {"deliveries": delivery_parts(entry, delivery_ids), "ofGroup": len(entry.detail.get("deliveries", []))}
    return entry.detail


def response_code(detail: str | None) -> str:
    """The HTTP status or 結果コード an attempt's detail names, for the attempts table."""
    if not detail:
        return ""
    for token in detail.replace(":", " ").replace(",", " ").split():
        if token.isdigit() and len(token) in (3, 4):
            return token
    return ""


@dataclass
class QuarantineView:
    id: int
    received_at: Any
    channel: str
    sender: str | None
    code: str
    code_text: str
    reason: str
    headers: dict[str, Any]
    original: str | None
    original_text: str  # for the correction form (only rendered unmasked)
    size: int
    reprocessed: list[dict[str, Any]]
    masked: bool


def quarantined(store: Store, qid: int, *, masked: bool) -> QuarantineView | None:
    with store.read() as s:
        q = s.get(Quarantine, qid)
        if q is None:
            return None
        done = s.execute(select(AuditEntry).where(AuditEntry.action == "quarantine.reprocessed",
                                                  AuditEntry.subject == f"quarantine:{qid}")
                         .order_by(AuditEntry.seq)).scalars().all()
    result = table().get(q.result_code)
    return QuarantineView(
        id=q.id, received_at=q.received_at, channel=q.transport, sender=q.sender, code=q.result_code,
        code_text=result.ja if result else "", reason=q.reason,
        headers={k: v for k, v in (q.headers or {}).items() if k != "client" or not masked},
        original=masking.pretty(q.original, "", "jumin", masked=masked),
        original_text="" if masked else q.original.decode("utf-8", "replace"), size=len(q.original),
        reprocessed=[{"at": e.at, "actor": e.actor, "receipt": e.detail.get("receiptId")} for e in done],
        masked=masked)

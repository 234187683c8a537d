"""Message status for the console and the API: the envelope, every delivery attempt, the mapped form —
or, while the derive stage cannot make it, why not (the kind of error only) and when it tries again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from broker.clock import as_jst
from broker.errors import NotFound
from broker.models import Delivery, DeliveryAttempt, DeliveryStatus, DeriveFailure, MappedRecord, Message
from broker.store import Store


def status(store: Store, receipt_id: str, catch_up: Callable[[int], None] | None = None) -> dict[str, Any]:
    """``catch_up(seq)`` (the derive stage's) first makes every mapped form up to this message, so
    the status never misses one that is merely not derived yet."""
    if catch_up is not None:
        with store.read() as s:
            seq = s.execute(select(Message.seq).where(Message.receipt_id == receipt_id)).scalar()
        if seq is not None:
            catch_up(seq)
    with store.read() as s:
        m = s.execute(select(Message).where(Message.receipt_id == receipt_id)).scalar_one_or_none()
        if m is None:
            raise NotFound(f"メッセージ {receipt_id} はありません", code="message_not_found")
        deliveries = s.execute(select(Delivery).where(Delivery.message_seq == m.seq)
                               .order_by(Delivery.destination)).scalars().all()
        attempts = s.execute(select(DeliveryAttempt).where(
            DeliveryAttempt.delivery_id.in_([d.id for d in deliveries])).order_by(DeliveryAttempt.id)).scalars().all()
        mapped = s.execute(select(MappedRecord).where(MappedRecord.message_seq == m.seq)).scalars().all()
        failure = s.get(DeriveFailure, m.seq)
    by_delivery: dict[int, list[dict[str, Any]]] = {}
    for a in attempts:
        by_delivery.setdefault(a.delivery_id, []).append({
            "attempt": a.attempt_no, "startedAt": as_jst(a.started_at).isoformat(),
            "finishedAt": as_jst(a.finished_at).isoformat(), "outcome": a.outcome, "detail": a.detail,
        })
    return {
        "receiptId": m.receipt_id,
        "messageId": m.message_id,
        "senderSystemId": m.sender_system_id,
        "lgCode": m.lg_code,
        "service": m.service,
        "operation": m.operation,
        "subjectKey": m.subject_key,
        "channel": m.transport,
        "acceptedAt": as_jst(m.accepted_at).isoformat(),
        "originalSha256": m.original_sha256,
        "status": _overall([d.status for d in deliveries]),
        "deliveries": [{
            "deliveryId": d.id, "destination": d.destination, "status": d.status, "attempts": d.attempts,
            "lastError": d.last_error,
            "deliveredAt": as_jst(d.delivered_at).isoformat() if d.delivered_at else None,
            "attemptLog": by_delivery.get(d.id, []),
        } for d in deliveries],
        "mapped": [{"mappingId": r.mapping_id, "mappingVersion": r.mapping_version, "output": r.output,
                    "lineage": r.lineage} for r in mapped],
        "mappingFailure": None if failure is None else {
            "attempts": failure.attempts, "error": error_kind(failure.error),
            "failedAt": as_jst(failure.failed_at).isoformat(),
            "nextAttemptAt": as_jst(failure.next_attempt_at).isoformat()},
    }


def error_kind(error: str) -> str:
    """An exception's kind without its text: the text may quote a value of the message."""
    return error.split(":", 1)[0]


def _overall(statuses: list[str]) -> str:
    if not statuses:
        return "accepted"
    if all(s == DeliveryStatus.DELIVERED for s in statuses):
        return "delivered"
    if any(s == DeliveryStatus.DEAD for s in statuses):
        done = (DeliveryStatus.DEAD, DeliveryStatus.DELIVERED)
        return "dead_letter" if all(s in done for s in statuses) else "in_progress"
    return "in_progress"

"""The dead letter channel: list what gave up, and send it round again by hand."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from broker import audit
from broker.clock import as_jst, now
from broker.errors import NotFound
from broker.models import Delivery, DeliveryStatus, Message
from broker.store import Store
from broker.store import affected as _count


def list_dead(store: Store, destination: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    with store.read() as s:
        q = select(Delivery, Message.receipt_id, Message.message_id).join(
            Message, Message.seq == Delivery.message_seq).where(Delivery.status == DeliveryStatus.DEAD)
        cq = select(func.count()).select_from(Delivery).where(Delivery.status == DeliveryStatus.DEAD)
        if destination:
            q = q.where(Delivery.destination == destination)
            cq = cq.where(Delivery.destination == destination)
        total = s.execute(cq).scalar_one()
        rows = s.execute(q.order_by(Delivery.id).limit(limit).offset(offset)).all()
    items = [{
        "deliveryId": d.id, "receiptId": rid, "messageId": mid, "destination": d.destination,
        "subjectKey": d.subject_key, "attempts": d.attempts, "lastError": d.last_error,
        "createdAt": as_jst(d.created_at).isoformat(),
    } for d, rid, mid in rows]
    return {"total": total, "items": items}


def retry_one(store: Store, delivery_id: int, actor: str) -> str:
    """Queue one dead letter again; returns its destination."""
    with store.write() as s:
        destination = s.execute(select(Delivery.destination).where(
            Delivery.id == delivery_id, Delivery.status == DeliveryStatus.DEAD)).scalar()
        if destination is None:
            raise NotFound(f"dead letter {delivery_id} does not exist", code="message_not_found")
        s.execute(update(Delivery).where(Delivery.id == delivery_id).values(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now(), last_error=None))
        audit.append(s, actor, "deadletter.retry", str(delivery_id))
    return str(destination)


def retry_all(store: Store, destination: str, actor: str) -> int:
    with store.write() as s:
        res = s.execute(update(Delivery)
                        .where(Delivery.destination == destination, Delivery.status == DeliveryStatus.DEAD)
                        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now(), last_error=None))
        count = _count(res)
        audit.append(s, actor, "deadletter.retry_all", destination, {"count": count})
    return count

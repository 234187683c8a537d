"""What an employer may see of its notices, and the 受領状況 of each.

An employer is known to the hub by the 指定番号 it subscribed to (its subscription's categories); it
sees those notices and no other: a receipt id of another employer's notice is answered exactly like
one that does not exist (3003), so ids cannot be probed.

受領状況 per notice, from hub data: ``downloaded`` (its recipient fetched the 正本), ``delivered``
(an endpoint confirmed it), ``failed`` (every delivery ended in the dead letter channel), else
``pending``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.clock import as_jst
from broker.errors import NotFound
from broker.models import Delivery, DeliveryStatus, Message
from broker.services.zei.models import ZeiNotice, ZeiSeihon

PENDING, DELIVERED, DOWNLOADED, FAILED = "pending", "delivered", "downloaded", "failed"


def statuses(s: Session, seqs: Iterable[int]) -> dict[int, str]:
    wanted = list(seqs)
    if not wanted:
        return {}
    delivered: dict[int, set[str]] = {}
    for seq, status in s.execute(select(Delivery.message_seq, Delivery.status)
                                 .where(Delivery.message_seq.in_(wanted))):
        delivered.setdefault(seq, set()).add(status)
    downloaded = set(s.execute(select(ZeiSeihon.message_seq).where(
        ZeiSeihon.message_seq.in_(wanted), ZeiSeihon.downloaded_at.is_not(None))).scalars())
    out: dict[int, str] = {}
    for seq in wanted:
        kinds = delivered.get(seq, set())
        if seq in downloaded:
            out[seq] = DOWNLOADED
        elif DeliveryStatus.DELIVERED in kinds:
            out[seq] = DELIVERED
        elif kinds and kinds <= {DeliveryStatus.DEAD}:
            out[seq] = FAILED
        else:
            out[seq] = PENDING
    return out


def list_for(s: Session, lg_code: str, shitei_nos: Collection[str], nendo: int | None = None) -> list[dict[str, Any]]:
    """The employer's notices (oldest first) with their 受領状況."""
    if not shitei_nos:
        return []
    q = (select(ZeiNotice.message_seq, ZeiNotice.nendo, ZeiNotice.tsuchi_kubun, ZeiNotice.shitei_no,
                Message.receipt_id, Message.accepted_at)
         .join(Message, Message.seq == ZeiNotice.message_seq)
         .where(ZeiNotice.lg_code == lg_code, ZeiNotice.shitei_no.in_(list(shitei_nos))))
    if nendo is not None:
        q = q.where(ZeiNotice.nendo == nendo)
    rows = s.execute(q.order_by(ZeiNotice.message_seq)).all()
    status = statuses(s, (r.message_seq for r in rows))
    return [{"receiptId": r.receipt_id, "nendo": r.nendo, "tsuchiKubun": r.tsuchi_kubun, "shiteiNo": r.shitei_no,
             "acceptedAt": as_jst(r.accepted_at), "status": status[r.message_seq]} for r in rows]


def own_notice(s: Session, lg_code: str, receipt_id: str, shitei_nos: Collection[str]) -> int:
    """The message seq of the caller's notice with this receipt id; 3003 for anything else."""
    seq = s.execute(select(ZeiNotice.message_seq).join(Message, Message.seq == ZeiNotice.message_seq)
                    .where(Message.receipt_id == receipt_id, ZeiNotice.lg_code == lg_code,
                           ZeiNotice.shitei_no.in_(list(shitei_nos) or [""]))).scalar()
    if seq is None:
        raise NotFound(f"受領ID {receipt_id} の通知はありません", code="message_not_found")
    return int(seq)

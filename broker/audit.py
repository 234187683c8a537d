"""The hash-chained audit log, kept as a fixed set of chains (streams) that writers share out.

Each entry's hash covers the previous hash of its stream and the entry's canonical JSON, so editing,
inserting or deleting a row breaks the next link of its stream, and cutting a stream's tail leaves
that stream's head row pointing past its last entry.

Why streams: one chain needs one lock, and every writer of every process (accept groups, delivery
outcomes recorded by Celery workers) queued on it. With ``STREAMS`` head rows, an append on
PostgreSQL locks whichever head no other transaction holds (``FOR UPDATE SKIP LOCKED``), so writers
never wait for each other unless more than ``STREAMS`` append at the same instant. A transaction
keeps the stream it took for all its appends. Within a stream, the head lock is held from the
insert to the commit, so a stream's entries are in ``seq`` order: verification walks all entries
once in ``seq`` order, following each stream's own link, and names the lowest broken entry. SQLite
has one writer at a time anyway, so it writes stream 1 only.

Group entries: the hot writers (an accept group, a group of delivery outcomes) add ONE entry per
group, whose detail lists every message (receipt id and the original's sha256) or every delivery
attempt of the group, so one link covers all their digests. The rows carry the entry's seq
(``messages.audit_seq``, ``delivery_attempts.audit_seq``), which is how one message finds its entries;
``broker.audit_message`` verifies one message against them.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from broker.clock import JST, now
from broker.models import AuditEntry, AuditHead, table_of

GENESIS = "0" * 64
STREAMS = 32  # head rows 1..STREAMS; a migration creates them (0012_audit_streams)
_TAKEN = "chipla.audit.stream"  # session.info key: (transaction, head) this transaction appends to

MESSAGES_ACCEPTED = "messages.accepted"  # one accept group: detail {"messages": [one part per message]}
DELIVERIES_RECORDED = "deliveries.recorded"  # one group of outcomes: detail {"deliveries": [one part each]}
# what one entry per message / per delivery was called before group entries (older rows keep them)
MESSAGE_ACCEPTED = "message.accepted"
DELIVERY_PREFIX = "delivery."


def _instant(at: datetime) -> str:
    """One spelling of an instant, whatever timezone the database hands back (SQLite: naive JST)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=JST)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(prev_hash: str, at: datetime, actor: str, action: str, subject: str, detail: dict[str, Any]) -> str:
    body = json.dumps(
        {"at": _instant(at), "actor": actor, "action": action, "subject": subject, "detail": detail},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def hash_of(entry: AuditEntry, prev_hash: str) -> str:
    """The hash an entry must carry when it follows ``prev_hash`` in its stream."""
    return _digest(prev_hash, entry.at, entry.actor, entry.action, entry.subject, entry.detail)


def link_problem(entry: AuditEntry, link: str) -> str | None:
    """Why ``entry`` does not follow the entry whose hash is ``link`` in its stream, or None."""
    if entry.prev_hash != link:
        return f"prev_hash does not match the previous entry of stream {entry.stream}"
    if hash_of(entry, link) != entry.hash:
        return "entry content does not match its hash"
    return None


def heads_missing(session: Session) -> list[AuditHead]:
    """Head rows to add so that every stream has one (a fresh store, or one made before streams)."""
    present = set(session.execute(select(AuditHead.id)).scalars())
    return [AuditHead(id=i, last_seq=0, last_hash=GENESIS) for i in range(1, STREAMS + 1) if i not in present]


def _take_head(session: Session) -> AuditHead:
    """Lock a stream head for this transaction: one nobody else holds, if there is one."""
    txn = session.get_transaction()
    taken = session.info.get(_TAKEN)
    if taken is not None and taken[0] is txn:
        head: AuditHead = taken[1]
        return head
    q = select(AuditHead)
    if session.get_bind().dialect.name == "sqlite":
        found = session.execute(q.where(AuditHead.id == 1)).scalar_one_or_none()
    else:
        found = session.execute(q.order_by(func.random()).limit(1).with_for_update(skip_locked=True)
                                ).scalar_one_or_none()
        if found is None:  # every stream busy, or no heads yet: wait for one
            found = session.execute(q.where(AuditHead.id == random.randint(1, STREAMS)).with_for_update()
                                    ).scalar_one_or_none()
    if found is None:
        found = AuditHead(id=1, last_seq=0, last_hash=GENESIS)
        session.add(found)
    session.info[_TAKEN] = (txn, found)
    return found


def append(session: Session, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None) -> int:
    """Add one entry inside the caller's transaction; its seq, for rows that point at it."""
    return append_many(session, [(actor, action, subject, detail or {})])[0]


def append_many(session: Session, entries: list[tuple[str, str, str, dict[str, Any]]]) -> list[int]:
    """Add entries, linked in the given order, to one stream inside the caller's transaction; their seqs."""
    if not entries:
        return []
    head = _take_head(session)
    prev = head.last_hash
    at = now()
    rows = []
    for actor, action, long_subject, detail in entries:
        subject = long_subject[:200]
        digest = _digest(prev, at, actor, action, subject, detail)
        rows.append({"at": at, "actor": actor, "action": action, "subject": subject, "detail": detail,
                     "stream": head.id, "prev_hash": prev, "hash": digest})
        prev = digest
    log = table_of(AuditEntry)
    seqs = list(session.execute(insert(log).returning(log.c.seq, sort_by_parameter_order=True), rows).scalars())
    head.last_hash = prev
    head.last_seq = max(seqs)
    return seqs


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify(session: Session) -> VerifyResult:
    """Walk every stream from its start; report the lowest entry whose link does not hold."""
    heads = {h.id: h.last_hash for h in session.execute(select(AuditHead)).scalars()}
    prev: dict[int, str] = {}
    checked = 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().yield_per(1000):
        if entry.stream not in heads:
            return VerifyResult(False, checked, entry.seq, f"stream {entry.stream} has no head row")
        problem = link_problem(entry, prev.get(entry.stream, GENESIS))
        if problem:
            return VerifyResult(False, checked, entry.seq, problem)
        prev[entry.stream] = entry.hash
        checked += 1
    if heads and set(heads) != set(range(1, STREAMS + 1)):
        return VerifyResult(False, checked, None, "stream head rows are missing (rows deleted)")
    for stream, last_hash in sorted(heads.items()):
        if last_hash != prev.get(stream, GENESIS):
            return VerifyResult(False, checked, None,
                                f"stream {stream} ends before its recorded head (rows deleted)")
    return VerifyResult(True, checked)

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
from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from broker.clock import JST, now
from broker.jsontext import json_bound
from broker.models import AuditEntry, AuditHead, table_of

GENESIS = "0" * 64
STREAMS = 32  # head rows 1..STREAMS; a migration creates them (0012_audit_streams)
_TAKEN = "chipla.audit.stream"  # session.info key: the _Taken head this transaction appends to

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


def _canonical(value: Any) -> str:
    """The canonical JSON an entry is hashed in: keys sorted, compact, text as it is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(prev_hash: str, at: datetime, actor: str, action: str, subject: str, detail: dict[str, Any]) -> str:
    return _linked(prev_hash, at, actor, action, subject, _canonical(detail))


def _linked(prev_hash: str, at: datetime, actor: str, action: str, subject: str, detail_json: str) -> str:
    """The hash of the entry's canonical JSON ``{"action", "actor", "at", "detail", "subject"}`` (its keys
    in sorted order) after ``prev_hash``, written around the detail's canonical text: an append hashes
    that text and stores it, so the detail is serialised once."""
    body = (f'{{"action":{_canonical(action)},"actor":{_canonical(actor)},"at":"{_instant(at)}",'
            f'"detail":{detail_json},"subject":{_canonical(subject)}}}')
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


@dataclass
class _Taken:
    """The stream head this transaction holds: which stream, and the hash its next entry links to."""

    txn: object
    stream: int
    last_hash: str


_HEADS = table_of(AuditHead)
_LOG = table_of(AuditEntry)
# Core statements built once: the hot writers (accept groups, delivery outcomes) append once per
# transaction, and the ORM's compile state and unit of work cost more than the two statements
_HEAD_COLUMNS = select(_HEADS.c.id, _HEADS.c.last_hash)
_SQLITE_HEAD = _HEAD_COLUMNS.where(_HEADS.c.id == 1)
_FREE_HEAD = _HEAD_COLUMNS.order_by(func.random()).limit(1).with_for_update(skip_locked=True)
_WAIT_FOR_HEAD = _HEAD_COLUMNS.where(_HEADS.c.id == bindparam("stream")).with_for_update()
_NEW_HEAD = insert(_HEADS)
_MOVE_HEAD = (update(_HEADS).where(_HEADS.c.id == bindparam("stream"))
              .values(last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash")))


@cache
def _add_entries(dialect: str) -> Insert:
    """The audit_log INSERT, the detail bound as the canonical text its entry was hashed with."""
    return (insert(_LOG).values(detail=json_bound("detail_json", dialect))
            .returning(_LOG.c.seq, sort_by_parameter_order=True))


def _take_head(session: Session, conn: Connection) -> _Taken:
    """Lock a stream head for this transaction: one nobody else holds, if there is one."""
    txn = session.get_transaction()
    taken = session.info.get(_TAKEN)
    if isinstance(taken, _Taken) and taken.txn is txn:
        return taken
    if conn.dialect.name == "sqlite":
        found = conn.execute(_SQLITE_HEAD).first()
    else:
        found = conn.execute(_FREE_HEAD).first()
        if found is None:  # every stream busy, or no heads yet: wait for one
            found = conn.execute(_WAIT_FOR_HEAD, {"stream": random.randint(1, STREAMS)}).first()
    if found is None:
        conn.execute(_NEW_HEAD, {"id": 1, "last_seq": 0, "last_hash": GENESIS})
        head = _Taken(txn, 1, GENESIS)
    else:
        head = _Taken(txn, found[0], found[1])
    session.info[_TAKEN] = head
    return head


def append(session: Session, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None) -> int:
    """Add one entry inside the caller's transaction; its seq, for rows that point at it."""
    return append_many(session, [(actor, action, subject, detail or {})])[0]


def append_many(session: Session, entries: list[tuple[str, str, str, dict[str, Any]]]) -> list[int]:
    """Add entries, linked in the given order, to one stream inside the caller's transaction; their seqs.

    The entries and the head's new ``last_seq``/``last_hash`` are written with Core statements on
    the transaction's connection, the head's UPDATE right after the entries (not at the commit)."""
    if not entries:
        return []
    conn = session.connection()
    head = _take_head(session, conn)
    prev = head.last_hash
    at = now()
    rows = []
    for actor, action, long_subject, detail in entries:
        subject = long_subject[:200]
        detail_json = _canonical(detail)
        digest = _linked(prev, at, actor, action, subject, detail_json)
        rows.append({"at": at, "actor": actor, "action": action, "subject": subject, "detail_json": detail_json,
                     "stream": head.stream, "prev_hash": prev, "hash": digest})
        prev = digest
    seqs = list(conn.execute(_add_entries(conn.dialect.name), rows).scalars())
    conn.execute(_MOVE_HEAD, {"stream": head.stream, "new_seq": max(seqs), "new_hash": prev})
    head.last_hash = prev
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

"""The hash-chained audit log.

Each entry's hash covers the previous hash and the entry's canonical JSON, so editing, inserting or
deleting a row breaks every later link. Appends lock the single ``audit_head`` row, which serialises
writers across processes on PostgreSQL and is free on SQLite (one writer already).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from broker.clock import JST, now
from broker.models import AuditEntry, AuditHead, table_of

GENESIS = "0" * 64


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


def append(session: Session, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None) -> None:
    """Add one entry inside the caller's transaction."""
    append_many(session, [(actor, action, subject, detail or {})])


def append_many(session: Session, entries: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    if not entries:
        return
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS)
        session.add(head)
    prev = head.last_hash
    at = now()
    rows = []
    for actor, action, long_subject, detail in entries:
        subject = long_subject[:200]
        digest = _digest(prev, at, actor, action, subject, detail)
        rows.append({"at": at, "actor": actor, "action": action, "subject": subject, "detail": detail,
                     "prev_hash": prev, "hash": digest})
        prev = digest
    session.execute(insert(table_of(AuditEntry)), rows)
    head.last_hash = prev


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify(session: Session) -> VerifyResult:
    """Walk the chain from the start; report the first entry whose link does not hold."""
    prev = GENESIS
    checked = 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().yield_per(1000):
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.seq, "prev_hash does not match the previous entry")
        expected = _digest(prev, entry.at, entry.actor, entry.action, entry.subject, entry.detail)
        if expected != entry.hash:
            return VerifyResult(False, checked, entry.seq, "entry content does not match its hash")
        prev = entry.hash
        checked += 1
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != prev:
        return VerifyResult(False, checked, None, "chain ends before the recorded head (rows deleted)")
    return VerifyResult(True, checked)

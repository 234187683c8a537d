"""One message against the audit chain: is what the chain says about it still what the store holds?

An accept group and a group of delivery outcomes each write one entry listing all their messages or
attempts (``broker.audit``); a message finds its entries through ``audit_seq`` on its row and on its
attempts' rows, or — for rows written before group entries — by subject (receipt id, or
``destination:delivery id``). A message is intact when

* its accept entry lists its receipt id, message id, service and operation, with the sha256 the
  stored original still hashes to;
* every attempt of every delivery of it is listed (delivery id, attempt number, outcome) in the entry
  its ``audit_seq`` names;
* every one of those entries is linked from its stream's start (each hash recomputes), and the entry
  after it in the stream — or the stream's head — links to it, so an entry edited together with its
  own hash is found too.

What a message's entries do not cover — other entries later in the stream — is for the full walk
(``broker.audit.verify``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit import (
    DELIVERIES_RECORDED,
    DELIVERY_PREFIX,
    GENESIS,
    MESSAGE_ACCEPTED,
    MESSAGES_ACCEPTED,
    link_problem,
)
from broker.models import AuditEntry, AuditHead, Delivery, DeliveryAttempt, Message


@dataclass
class MessageVerdict:
    receipt_id: str
    sha256: str  # what the stored original hashes to now
    entries: list[int] = field(default_factory=list)  # seqs of the entries that cover the message
    attempts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def accepted_part(entry: AuditEntry, receipt_id: str) -> dict[str, Any] | None:
    """What an accept entry says about one message: its part of a group entry, or a per-message entry."""
    if entry.action == MESSAGES_ACCEPTED:
        parts = entry.detail.get("messages") if isinstance(entry.detail, dict) else None
        for part in parts if isinstance(parts, list) else []:
            if isinstance(part, dict) and part.get("receiptId") == receipt_id:
                return part
        return None
    if entry.action == MESSAGE_ACCEPTED and entry.subject == receipt_id and isinstance(entry.detail, dict):
        return {"receiptId": receipt_id, **entry.detail}
    return None


def delivery_parts(entry: AuditEntry, delivery_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The attempts of the given deliveries an outcome entry lists (group entry or per-attempt entry)."""
    wanted = set(delivery_ids)
    if entry.action == DELIVERIES_RECORDED:
        parts = entry.detail.get("deliveries") if isinstance(entry.detail, dict) else None
        return [p for p in (parts if isinstance(parts, list) else [])
                if isinstance(p, dict) and p.get("id") in wanted]
    if entry.action.startswith(DELIVERY_PREFIX) and isinstance(entry.detail, dict):
        destination, _, delivery_id = entry.subject.rpartition(":")
        if delivery_id.isdigit() and int(delivery_id) in wanted:
            return [{"id": int(delivery_id), "destination": destination,
                     "outcome": entry.action.removeprefix(DELIVERY_PREFIX), **entry.detail}]
    return []


def verify_message(session: Session, receipt_id: str) -> MessageVerdict | None:
    """The verdict for one message, or None when no message has this receipt id."""
    m = session.execute(select(Message.seq, Message.message_id, Message.service, Message.operation,
                               Message.original, Message.audit_seq)
                        .where(Message.receipt_id == receipt_id)).one_or_none()
    if m is None:
        return None
    verdict = MessageVerdict(receipt_id, hashlib.sha256(m.original).hexdigest())
    ours: dict[int, AuditEntry] = {}
    accept = _accept_entry(session, receipt_id, m.audit_seq, verdict)
    if accept is not None:
        ours[accept.seq] = accept
        _check_accept(accept, m, verdict)
    for entry in _check_attempts(session, m.seq, verdict):
        ours[entry.seq] = entry
    verdict.entries = sorted(ours)
    verdict.problems += _chain_problems(session, list(ours.values()))
    return verdict


def _accept_entry(s: Session, receipt_id: str, audit_seq: int | None, verdict: MessageVerdict) -> AuditEntry | None:
    if audit_seq is not None:
        entry = s.get(AuditEntry, audit_seq)
        if entry is None:
            verdict.problems.append(f"its accept entry {audit_seq} is missing from the audit log (deleted)")
        elif entry.action != MESSAGES_ACCEPTED:
            verdict.problems.append(f"its accept entry {audit_seq} is a {entry.action!r} entry, not "
                                    f"{MESSAGES_ACCEPTED!r}")
            return None
        return entry
    entry = s.execute(select(AuditEntry).where(AuditEntry.subject == receipt_id,
                                               AuditEntry.action == MESSAGE_ACCEPTED)
                      .order_by(AuditEntry.seq).limit(1)).scalar_one_or_none()
    if entry is None:
        verdict.problems.append("no accept entry names it (no audit_seq on the message and no "
                                f"{MESSAGE_ACCEPTED!r} entry with its receipt id; messages the hub made itself, "
                                "such as notices, have none)")
    return entry


def _check_accept(entry: AuditEntry, m: Any, verdict: MessageVerdict) -> None:
    part = accepted_part(entry, verdict.receipt_id)
    if part is None:
        verdict.problems.append(f"its accept entry {entry.seq} does not list receipt {verdict.receipt_id}")
        return
    listed = part.get("sha256")
    if listed != verdict.sha256:
        verdict.problems.append(f"the stored original hashes to {verdict.sha256}, its accept entry {entry.seq} "
                                f"lists {listed}: the original or its digest in the entry was altered")
    for key, stored in (("messageId", m.message_id), ("service", m.service), ("operation", m.operation)):
        if part.get(key) != stored:
            verdict.problems.append(f"its accept entry {entry.seq} lists {key} {part.get(key)!r}, "
                                    f"the stored message has {stored!r}")


def _check_attempts(s: Session, message_seq: int, verdict: MessageVerdict) -> list[AuditEntry]:
    """Each attempt listed in its entry; returns the entries found."""
    attempts = s.execute(
        select(DeliveryAttempt.delivery_id, DeliveryAttempt.attempt_no, DeliveryAttempt.outcome,
               DeliveryAttempt.audit_seq, Delivery.destination)
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(Delivery.message_seq == message_seq).order_by(DeliveryAttempt.id)).all()
    verdict.attempts = len(attempts)
    grouped = {a.audit_seq for a in attempts if a.audit_seq is not None}
    entries = {e.seq: e for e in s.execute(select(AuditEntry).where(AuditEntry.seq.in_(grouped))).scalars()}
    older = {f"{a.destination}:{a.delivery_id}" for a in attempts if a.audit_seq is None}
    legacy = list(s.execute(select(AuditEntry).where(AuditEntry.subject.in_(older),
                                                     AuditEntry.action.startswith(DELIVERY_PREFIX))
                            .order_by(AuditEntry.seq)).scalars()) if older else []
    found: dict[int, AuditEntry] = {}
    for a in attempts:
        what = f"attempt {a.attempt_no} of delivery {a.delivery_id} ({a.destination}, {a.outcome})"
        candidates = legacy if a.audit_seq is None else [e for e in (entries.get(a.audit_seq),) if e is not None]
        match = next((e for e in candidates for p in delivery_parts(e, [a.delivery_id])
                      if p.get("attempt") == a.attempt_no and p.get("outcome") == a.outcome), None)
        if match is not None:
            found[match.seq] = match
        elif a.audit_seq is not None and a.audit_seq not in entries:
            verdict.problems.append(f"the audit entry {a.audit_seq} of {what} is missing from the audit log (deleted)")
        elif a.audit_seq is not None:
            verdict.problems.append(f"the audit entry {a.audit_seq} does not list {what}")
        else:
            verdict.problems.append(f"no audit entry lists {what}")
    return list(found.values())


def _chain_problems(s: Session, ours: list[AuditEntry]) -> list[str]:
    """Each stream holding one of ``ours``: walked from its start through the last of them, and the
    link that follows it checked."""
    last_of: dict[int, int] = {}
    for e in ours:
        last_of[e.stream] = max(last_of.get(e.stream, 0), e.seq)
    problems: list[str] = []
    for stream, last in sorted(last_of.items()):
        link = GENESIS
        broken = ""
        rows = s.execute(select(AuditEntry).where(AuditEntry.stream == stream, AuditEntry.seq <= last)
                         .order_by(AuditEntry.seq)).scalars().yield_per(1000)
        for entry in rows:
            problem = link_problem(entry, link)
            if problem:
                broken = f"audit chain broken at entry {entry.seq}: {problem}"
                break
            link = entry.hash
        if broken:
            problems.append(broken)
            continue
        after = s.execute(select(AuditEntry.seq, AuditEntry.prev_hash)
                          .where(AuditEntry.stream == stream, AuditEntry.seq > last)
                          .order_by(AuditEntry.seq).limit(1)).first()
        if after is not None and after.prev_hash != link:
            problems.append(f"audit chain broken at entry {after.seq}: it does not link to entry {last} of stream "
                            f"{stream} (that entry was rewritten with a new hash, or one between was deleted)")
        elif after is None:
            head = s.get(AuditHead, stream)
            if head is None or head.last_hash != link:
                problems.append(f"audit stream {stream} does not end at entry {last}, its last entry "
                                "(entries after it were deleted, or it was rewritten with a new hash)")
    return problems

"""Accept: store the original, the envelope, the outbox and a service's projection in one transaction.

Requests hand their envelope to a single writer thread that commits them in groups (group commit):
one fsync and one statement per table serve many senders, and every sender is answered only after
its group is durable. All checks that need the database (replayed token, re-sent message id,
service rules such as a stale 異動日) are made for the whole group with one query each, before
anything is written. The idempotent consumer lives here: the same (sender, message id) returns the
first receipt and creates no new deliveries; the same id with different content is refused (1009).
Only what the ack depends on is written here; the mapped forms are derived from the stored original
after the commit (``broker.derive``), and the writer hands the stored seqs over to that stage.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Connection, Insert, Table, insert, select
from sqlalchemy.orm import Session

from broker import audit, metrics
from broker.clock import as_jst, now
from broker.envelope import Envelope
from broker.errors import DuplicateConflict, HubError, NotAllowed
from broker.jsontext import insert_json_as_text, json_text, rows_with_json_text
from broker.keyset import keyed
from broker.models import Delivery, DeliveryStatus, Message, Nonce, table_of
from broker.security.nonces import NonceCache
from broker.security.usernametoken import CLOCK_SKEW, FRESHNESS
from broker.store import Store

log = logging.getLogger(__name__)

NONCE_PURGE_SECONDS = 60.0  # how often the writer drops expired replay-cache rows

# The group's statements, built once and run on the transaction's connection: a statement made per
# group, or run through the ORM session, costs more Python than the database spends on it.
_MESSAGES = table_of(Message)
_NONCES = table_of(Nonce)
_SEEN_TOKENS = keyed(select(_NONCES.c.username, _NONCES.c.nonce).where, _NONCES.c.username, _NONCES.c.nonce)
_ADD_TOKENS = insert(_NONCES)
_PRIOR = keyed(select(_MESSAGES.c.sender_system_id, _MESSAGES.c.message_id, _MESSAGES.c.receipt_id,
                      _MESSAGES.c.accepted_at, _MESSAGES.c.content_sha256, _MESSAGES.c.seq).where,
               _MESSAGES.c.sender_system_id, _MESSAGES.c.message_id)
_ADD_DELIVERIES = insert(table_of(Delivery))


@cache
def _add_messages(dialect: str) -> Insert:
    """The messages INSERT, its envelope and canonical body bound as JSON text (`json_text`)."""
    return insert_json_as_text(_MESSAGES, dialect).returning(_MESSAGES.c.seq, sort_by_parameter_order=True)


@dataclass(frozen=True)
class Receipt:
    receipt_id: str
    accepted_at: datetime
    duplicate: bool
    seq: int
    destinations: tuple[str, ...] = ()


class ServiceRules(Protocol):
    """What a 業務 adds to the accept transaction, for a whole group at once."""

    def refusals(self, conn: Connection, items: list[Pending]) -> dict[int, HubError]:
        """Index (into ``items``) → why that item must be refused, from one look at the store
        (``conn`` is the group's transaction)."""

    def rows(self, accepted: list[tuple[Pending, int]]) -> list[tuple[Table, list[dict[str, Any]]]]:
        """Rows to insert for the accepted items (with their message seq), e.g. a projection."""


@dataclass
class Derived:
    """What the request thread computed before the write: subject, routes, rules."""

    subject_key: str
    destinations: list[str]
    nonce: tuple[str, str] | None = None  # (username, nonce) of the security token, used once
    rules: ServiceRules | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # what the rules need (e.g. 宛名番号, 異動日)


@dataclass
class Pending:
    envelope: Envelope
    derived: Derived
    future: Future[Receipt]
    digest: str = ""


class AcceptWriter:
    """The single writer: batches accepts into one transaction each."""

    def __init__(self, store: Store, on_committed: Callable[[list[str]], None] | None = None,
                 max_batch: int = 500, on_stored: Callable[[list[int]], None] | None = None) -> None:
        self.store = store
        self.on_committed = on_committed
        self.on_stored = on_stored  # the seqs of newly stored messages (the derive stage)
        self.max_batch = max_batch
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="chipla-accept-writer", daemon=True)
        self._started = False
        self._purged_at = 0.0

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self) -> None:
        if self._started:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._started = False

    def submit(self, envelope: Envelope, derived: Derived) -> Future[Receipt]:
        """Queue the envelope; the future resolves once it is durably stored (or refused)."""
        if not self._started:
            self.start()
        fut: Future[Receipt] = Future()
        self._queue.put(Pending(envelope, derived, fut, content_digest(envelope)))
        return fut

    def accept(self, envelope: Envelope, derived: Derived, timeout: float = 30.0) -> Receipt:
        return self.submit(envelope, derived).result(timeout=timeout)

    # -- writer thread -------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[Pending]) -> None:
        try:
            purge = time.monotonic() - self._purged_at > NONCE_PURGE_SECONDS
            outcomes = write_group(self.store, batch, purge_nonces=purge)
            if purge:
                self._purged_at = time.monotonic()
        except Exception as exc:  # e.g. a concurrent writer on PostgreSQL: retry one by one
            if len(batch) > 1:
                for item in batch:
                    self._commit([item])
                return
            log.exception("accept failed for %s", batch[0].envelope.header.message_id)
            outcomes = [HubError("保存に失敗しました", code="store_unavailable", log_detail=repr(exc))]
        destinations: set[str] = set()
        stored: list[int] = []
        for item, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                item.future.set_exception(outcome)
                continue
            if outcome.duplicate:
                metrics.DUPLICATES.inc()
            else:
                h = item.envelope.header
                metrics.ACCEPTED.labels(h.service, h.operation).inc()
                stored.append(outcome.seq)
            destinations.update(outcome.destinations)
            item.future.set_result(outcome)
        if stored and self.on_stored:
            try:
                self.on_stored(stored)
            except Exception:  # the derive stage also sweeps the store
                log.exception("handing stored messages to the derive stage failed")
        if destinations and self.on_committed:
            try:
                self.on_committed(sorted(destinations))
            except Exception:  # waking the dispatcher is best effort; it also polls
                log.exception("dispatcher wake-up failed")


def write_group(store: Store, batch: list[Pending], *, purge_nonces: bool = False) -> list[Receipt | HubError]:
    """One transaction for the group; returns an outcome per item, in order."""
    accepted_at = now()
    out: list[Receipt | HubError | None] = [None] * len(batch)
    with store.write() as s:
        if purge_nonces:
            NonceCache.purge(s)
        conn = s.connection()
        _refuse_replayed_tokens(conn, batch, out)
        firsts = _resolve_resends(conn, batch, out)
        by_rules: dict[int, list[int]] = {}
        for i in firsts:
            rules = batch[i].derived.rules
            if rules is not None:
                by_rules.setdefault(id(rules), []).append(i)
        for indices in by_rules.values():
            rules = batch[indices[0]].derived.rules
            assert rules is not None
            for k, error in rules.refusals(conn, [batch[i] for i in indices]).items():
                out[indices[k]] = error
        new = [i for i in firsts if out[i] is None]
        receipts = _insert(s, conn, batch, new, accepted_at)
        for i, receipt in zip(new, receipts, strict=True):
            out[i] = receipt
        for i in range(len(batch)):  # re-sends of a message first seen in this same group
            if out[i] is None:
                first = out[firsts_of(batch, i)]
                out[i] = (Receipt(first.receipt_id, first.accepted_at, True, first.seq)
                          if isinstance(first, Receipt) else first)
    return [o for o in out if o is not None]


def firsts_of(batch: list[Pending], i: int) -> int:
    key = _key(batch[i])
    return next(j for j in range(i) if _key(batch[j]) == key)


def _key(item: Pending) -> tuple[str, str]:
    return item.envelope.header.sender_system_id, item.envelope.header.message_id


def _refuse_replayed_tokens(conn: Connection, batch: list[Pending], out: list[Any]) -> None:
    tokens = [(i, p.derived.nonce) for i, p in enumerate(batch) if p.derived.nonce]
    if not tokens:
        return
    known = set(_SEEN_TOKENS.run(conn, [t for _, t in tokens]).tuples())
    fresh: list[dict[str, Any]] = []
    expires = now() + FRESHNESS + CLOCK_SKEW
    for i, token in tokens:
        assert token is not None
        if token in known:
            out[i] = NotAllowed("この認証トークンは既に使用されています", code="token_replayed")
            continue
        known.add(token)
        fresh.append({"username": token[0], "nonce": token[1], "expires_at": expires})
    if fresh:
        conn.execute(_ADD_TOKENS, fresh)


def _resolve_resends(conn: Connection, batch: list[Pending], out: list[Any]) -> list[int]:
    """Answer re-sent message ids with the first receipt; return the items seen for the first time."""
    keys = {_key(p) for i, p in enumerate(batch) if out[i] is None}
    if not keys:
        return []
    prior = {
        (r.sender_system_id, r.message_id): r
        for r in _PRIOR.run(conn, keys)
    }
    firsts: list[int] = []
    seen_here: set[tuple[str, str]] = set()
    for i, item in enumerate(batch):
        if out[i] is not None:
            continue
        key = _key(item)
        p = prior.get(key)
        if p is not None:
            out[i] = (Receipt(p.receipt_id, as_jst(p.accepted_at), True, p.seq) if p.content_sha256 == item.digest
                      else DuplicateConflict("同一メッセージIDで内容の異なる電文が既に受け付けられています"))
        elif key not in seen_here:
            seen_here.add(key)
            firsts.append(i)
    return firsts


def _insert(s: Session, conn: Connection, batch: list[Pending], new: list[int],
            accepted_at: datetime) -> list[Receipt]:
    if not new:
        return []
    rows: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for i in new:
        env, d = batch[i].envelope, batch[i].derived
        h = env.header
        row = {
            "receipt_id": str(uuid.uuid4()), "message_id": h.message_id,
            "sender_system_id": h.sender_system_id, "lg_code": h.lg_code,
            "service": h.service, "operation": h.operation, "subject_key": d.subject_key,
            "channel": env.transport, "content_type": env.content_type, "original": env.original,
            "original_sha256": hashlib.sha256(env.original).hexdigest(), "content_sha256": batch[i].digest,
            "envelope_json": json_text(env.as_record()), "canonical_json": json_text(env.body),
            "accepted_at": accepted_at,
        }
        rows.append(row)
        parts.append({"receiptId": row["receipt_id"], "messageId": h.message_id, "sender": h.sender_system_id,
                      "service": h.service, "operation": h.operation, "sha256": row["original_sha256"],
                      "destinations": list(d.destinations)})
    # One audit link for the group, written first so that every message row carries its seq
    audit_seq = audit.append(s, "hub", audit.MESSAGES_ACCEPTED, f"{len(parts)} messages", {"messages": parts})
    for row in rows:
        row["audit_seq"] = audit_seq
    seqs = list(conn.execute(_add_messages(conn.dialect.name), rows).scalars())
    deliveries: list[dict[str, Any]] = []
    per_rules: dict[int, list[tuple[Pending, int]]] = {}
    for i, seq in zip(new, seqs, strict=True):
        d = batch[i].derived
        deliveries += [{"message_seq": seq, "destination": dest, "subject_key": d.subject_key,
                        "status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": accepted_at,
                        "created_at": accepted_at} for dest in d.destinations]
        if d.rules is not None:
            per_rules.setdefault(id(d.rules), []).append((batch[i], seq))
    if deliveries:
        conn.execute(_ADD_DELIVERIES, deliveries)
    for accepted in per_rules.values():
        rules = accepted[0][0].derived.rules
        assert rules is not None
        for table, table_rows in rules.rows(accepted):
            if table_rows:
                conn.execute(insert_json_as_text(table, conn.dialect.name), rows_with_json_text(table, table_rows))
    return [Receipt(row["receipt_id"], accepted_at, False, seq, tuple(batch[i].derived.destinations))
            for i, seq, row in zip(new, seqs, rows, strict=True)]


def content_digest(env: Envelope) -> str:
    """Digest of what the message says: a re-send with a fresh security header is the same message."""
    h = env.header
    body = json.dumps([h.service, h.operation, h.lg_code, env.body], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()

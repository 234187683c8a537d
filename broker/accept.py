"""Accept: store the original, the envelope, the derived forms and the outbox in one transaction.

Requests hand their envelope to a single writer thread that commits them in groups (group commit):
one fsync serves many senders, and every sender is answered only after its group is durable.
The idempotent consumer lives here too: the same (sender, message id) returns the first receipt
and creates no new deliveries; the same id with different content is refused (1009).
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from broker import audit
from broker.clock import now
from broker.envelope import Envelope
from broker.errors import DuplicateConflict, HubError
from broker.models import Delivery, MappedRecord, Message
from broker.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    receipt_id: str
    accepted_at: datetime
    duplicate: bool
    seq: int
    destinations: tuple[str, ...] = ()


@dataclass
class Derived:
    """What the request thread computed before the write: subject, routes, mapped forms, projection."""

    subject_key: str
    destinations: list[str]
    mapped: list[dict[str, Any]] = field(default_factory=list)
    # called inside the transaction after the message row exists: (session, message_seq) -> None
    project: Callable[[Session, int], None] | None = None
    # called inside the transaction before anything is written; may raise a HubError (e.g. Stale)
    precheck: Callable[[Session], None] | None = None
    # called first, even for a re-sent message id (a replayed security token is refused, not
    # answered with the earlier receipt)
    guard: Callable[[Session], None] | None = None


@dataclass
class _Job:
    envelope: Envelope
    derived: Derived
    future: Future[Receipt]


class AcceptWriter:
    """The single writer: batches accepts into one transaction each."""

    def __init__(self, store: Store, on_committed: Callable[[list[str]], None] | None = None,
                 max_batch: int = 200) -> None:
        self.store = store
        self.on_committed = on_committed
        self.max_batch = max_batch
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="chipla-accept-writer", daemon=True)
        self._started = False

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
        self._queue.put(_Job(envelope, derived, fut))
        return fut

    def accept(self, envelope: Envelope, derived: Derived, timeout: float = 30.0) -> Receipt:
        return self.submit(envelope, derived).result(timeout=timeout)

    # -- writer thread -------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            batch = [job]
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
            self._commit_batch(batch)
            if stop:
                return

    def _commit_batch(self, batch: list[_Job]) -> None:
        try:
            results = self._write(batch)
        except Exception:  # one bad job must not fail its neighbours: retry one by one
            if len(batch) == 1:
                self._fail(batch[0], log_exc=True)
                return
            for job in batch:
                self._commit_batch([job])
            return
        destinations: set[str] = set()
        for job, outcome in zip(batch, results, strict=True):
            if isinstance(outcome, Exception):
                job.future.set_exception(outcome)
            else:
                destinations.update(outcome.destinations)
                job.future.set_result(outcome)
        if destinations and self.on_committed:
            try:
                self.on_committed(sorted(destinations))
            except Exception:  # waking the dispatcher is best effort; it also polls
                log.exception("dispatcher wake-up failed")

    def _fail(self, job: _Job, log_exc: bool) -> None:
        try:
            self._write([job])
        except HubError as exc:
            job.future.set_exception(exc)
        except Exception as exc:
            if log_exc:
                log.exception("accept failed for %s", job.envelope.header.message_id)
            job.future.set_exception(HubError("保存に失敗しました", code="store_unavailable",
                                              log_detail=repr(exc)))

    def _write(self, batch: list[_Job]) -> list[Receipt | Exception]:
        accepted_at = now()
        out: list[Receipt | Exception] = []
        with self.store.write() as s:
            keys = [(j.envelope.header.sender_system_id, j.envelope.header.message_id) for j in batch]
            seen = {
                (m.sender_system_id, m.message_id): m
                for m in s.execute(
                    select(Message.sender_system_id, Message.message_id, Message.receipt_id,
                           Message.accepted_at, Message.content_sha256, Message.seq)
                    .where(tuple_(Message.sender_system_id, Message.message_id).in_(keys))
                )
            }
            in_batch: dict[tuple[str, str], Receipt] = {}
            audit_entries: list[tuple[str, str, str, dict[str, Any]]] = []
            for job in batch:
                env = job.envelope
                key = (env.header.sender_system_id, env.header.message_id)
                digest = content_digest(env)
                if job.derived.guard is not None:
                    try:
                        with s.begin_nested():
                            job.derived.guard(s)
                    except HubError as exc:
                        out.append(exc)
                        continue
                prior = seen.get(key)
                if prior is not None:
                    out.append(_duplicate(prior.content_sha256, digest, prior.receipt_id,
                                          prior.accepted_at, prior.seq))
                    continue
                if key in in_batch:
                    first = in_batch[key]
                    out.append(Receipt(first.receipt_id, first.accepted_at, True, first.seq))
                    continue
                try:
                    with s.begin_nested():
                        receipt = self._insert_one(s, job, digest, accepted_at)
                except HubError as exc:
                    out.append(exc)
                    continue
                in_batch[key] = receipt
                seen[key] = _Prior(digest, receipt.receipt_id, accepted_at, receipt.seq)  # type: ignore[assignment]
                audit_entries.append((env.header.sender_system_id, "message.accepted", receipt.receipt_id, {
                    "messageId": env.header.message_id, "service": env.header.service,
                    "operation": env.header.operation, "sha256": hashlib.sha256(env.original).hexdigest(),
                    "destinations": list(receipt.destinations),
                }))
                out.append(receipt)
            audit.append_many(s, audit_entries)
        return out

    def _insert_one(self, s: Session, job: _Job, digest: str, accepted_at: datetime) -> Receipt:
        env, derived = job.envelope, job.derived
        if derived.precheck:
            derived.precheck(s)
        receipt_id = str(uuid.uuid4())
        seq = s.execute(insert(Message).returning(Message.seq), [{
            "receipt_id": receipt_id, "message_id": env.header.message_id,
            "sender_system_id": env.header.sender_system_id, "lg_code": env.header.lg_code,
            "service": env.header.service, "operation": env.header.operation,
            "subject_key": derived.subject_key, "channel": env.channel, "content_type": env.content_type,
            "original": env.original, "original_sha256": hashlib.sha256(env.original).hexdigest(),
            "content_sha256": digest, "envelope": env.as_record(),
            "canonical": env.body, "accepted_at": accepted_at,
        }]).scalar_one()
        if derived.mapped:
            s.execute(insert(MappedRecord), [
                {"message_seq": seq, "created_at": accepted_at, **m} for m in derived.mapped
            ])
        if derived.destinations:
            s.execute(insert(Delivery), [{
                "message_seq": seq, "destination": d, "subject_key": derived.subject_key,
                "status": "pending", "attempts": 0, "next_attempt_at": accepted_at, "created_at": accepted_at,
            } for d in derived.destinations])
        if derived.project:
            derived.project(s, seq)
        return Receipt(receipt_id, accepted_at, False, seq, tuple(derived.destinations))


def content_digest(env: Envelope) -> str:
    h = env.header
    body = json.dumps([h.service, h.operation, h.lg_code, env.body], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Prior:
    content_sha256: str
    receipt_id: str
    accepted_at: datetime
    seq: int


def _duplicate(stored_sha: str, digest: str, receipt_id: str, accepted_at: datetime, seq: int) -> Receipt | Exception:
    if stored_sha != digest:
        return DuplicateConflict("同一メッセージIDで内容の異なる電文が既に受け付けられています")
    return Receipt(receipt_id, accepted_at, True, seq)

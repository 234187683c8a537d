"""Derive: the stage after the accept commit that stores each message's derived forms.

The ack depends only on the original, the outbox rows and what a same-request rule needs (a
service's projection); the mapped forms with their lineage (the IMI JSON-LD of a 異動, for instance)
are a pure function of the stored original and the mapping version, so they are made here, off the
request path, from the stored original:

- idempotent: a message is derived when it has no mapped record yet; deriving and recording happen
  in one transaction, and concurrent derivers (several hub processes) are serialised by the store
  (SQLite's single writer, a transaction-scoped advisory lock on PostgreSQL), so none is made twice;
- crash-safe: nothing marks work as taken, so whatever a crash interrupted is simply still
  underived. The accept writer hands over the seqs it committed (the fast path), and a sweep over
  the store (at start, then every ``sweep_seconds``) derives anything else: a message of another
  process, or one a crash left underived;
- visible when it matters: a reader of mapped forms (message status, the console's message detail,
  ``chipla replay``) first calls ``catch_up(seq)``, which derives everything up to that message in
  the caller's thread, so it never reads a gap;
- retried when it fails: a message whose mapping raised (or made nothing) gets a ``derive_failures``
  row — the reason, the attempts, the next attempt — written in the same transaction, is counted
  (``chipla_derive_failures_total``) and logged, and is tried again by the running process when
  its time comes, after 30 s, then twice as long each time up to an hour; a starting process tries
  every one at once (a fixed mapping usually comes with a restart). Success removes the row.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Integer, Row, bindparam, delete, exists, func, insert, select, text, update
from sqlalchemy.orm import Session

from broker import metrics
from broker.catalog import ServiceCatalog
from broker.clock import now
from broker.db import advisory_key
from broker.decoded import Decoded, DecodedMessages
from broker.models import DeriveFailure, MappedRecord, Message, table_of
from broker.store import Store

log = logging.getLogger(__name__)

#: the PostgreSQL advisory lock that serialises derivers across processes
ADVISORY_KEY = advisory_key("chipla.derive")
#: longer than any accept transaction may stay open (its senders time out well before)
COMMIT_LAG_SECONDS = 120.0
#: a failed mapping is tried again after this long, then after twice as long each time, up to the cap
RETRY_FIRST_SECONDS = 30.0
RETRY_CAP_SECONDS = 3600.0
#: the longest failure reason kept (an exception's text)
ERROR_CHARS = 1000


# The stage's statements, built once (it runs every fraction of a second in a delivering process). The
# retry of failed messages (``_PENDING_RETRIED``) is the one that looks at messages with a failure row.
_messages = table_of(Message)
_underived = (
    select(_messages.c.seq, _messages.c.service, _messages.c.receipt_id)
    .where(_messages.c.service.in_(bindparam("services", expanding=True)),
           ~exists().where(table_of(MappedRecord).c.message_seq == _messages.c.seq))
    .order_by(_messages.c.seq).limit(bindparam("limit", type_=Integer))
)
_not_failed = ~exists().where(table_of(DeriveFailure).c.message_seq == _messages.c.seq)
_PENDING_RETRIED = _underived.where(_messages.c.seq.in_(bindparam("seqs", expanding=True)))
_PENDING_HANDED = _PENDING_RETRIED.where(_not_failed)
_PENDING_ABOVE = _underived.where(_not_failed, _messages.c.seq > bindparam("floor", type_=BigInteger))
_PENDING_BETWEEN = _PENDING_ABOVE.where(_messages.c.seq <= bindparam("through", type_=BigInteger))
_ORIGINALS = select(_messages.c.seq, _messages.c.receipt_id, _messages.c.envelope, _messages.c.canonical).where(
    _messages.c.seq.in_(bindparam("seqs", expanding=True)))
_INSERT_MAPPED = insert(table_of(MappedRecord))


def retry_delay(attempts: int, first: float = RETRY_FIRST_SECONDS, cap: float = RETRY_CAP_SECONDS) -> float:
    """Seconds until the next attempt after `attempts` failed ones: first, 2 × first, 4 × first … cap."""
    return float(min(cap, first * 2 ** min(max(attempts - 1, 0), 32)))


class Deriver:
    def __init__(self, store: Store, services: ServiceCatalog, *, batch_size: int = 200,
                 sweep_seconds: float = 30.0, retry_first_seconds: float = RETRY_FIRST_SECONDS,
                 retry_cap_seconds: float = RETRY_CAP_SECONDS) -> None:
        self.store = store
        self.services = services
        self.batch_size = batch_size
        self.sweep_seconds = sweep_seconds
        self.retry_first_seconds = retry_first_seconds
        self.retry_cap_seconds = retry_cap_seconds
        #: a new process tries every failed message once, whenever its next attempt was due
        self._retry_all = True
        self._retried_through = 0
        self._mapped = tuple(sorted(s.id for s in services if s.mapping_ids))
        #: messages decoded in this process; the composition root shares the outbox's, so the deliveries
        #: find the bodies and mapped forms this stage decoded and made
        self.decoded = DecodedMessages()
        #: every message with seq ≤ floor has been derived; the sweep looks above it
        self._floor = 0
        #: PostgreSQL: (when, top seq) seen by sweeps; a top becomes the floor once no transaction that
        #: could still commit a lower seq can be open (``COMMIT_LAG_SECONDS`` later)
        self._tops: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()
        self._handed: list[int] = []
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the background pass -------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None and self._mapped:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="chipla-derive", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the pass; what the writer handed over is derived before this returns."""
        if self._thread is not None:
            self._stopping.set()
            self._wake.set()
            self._thread.join(timeout=10)
            self._thread = None
        try:
            self._derive_handed()
        except Exception:  # the next start's sweep derives it
            log.exception("deriving at stop failed")

    def committed(self, seqs: list[int]) -> None:
        """The accept writer stored these messages: derive them soon."""
        with self._lock:
            self._handed.extend(seqs)
        if self._thread is None and self._mapped and not self._stopping.is_set():
            self.start()  # like the accept writer, the stage runs once there is work
        self._wake.set()

    def _derive_handed(self) -> None:
        with self._lock:
            handed, self._handed = self._handed, []
        for start in range(0, len(handed), self.batch_size):
            self._derive(handed[start:start + self.batch_size])

    def _run(self) -> None:
        swept_at = -self.sweep_seconds
        # failures are looked for on this cadence, not at every wake: a wake comes with each accept group
        retry_every = min(self.sweep_seconds, self.retry_first_seconds)
        retried_at = -retry_every
        while not self._stopping.is_set():
            try:
                if time.monotonic() - retried_at >= retry_every:
                    while self.retry_due() == self.batch_size and not self._stopping.is_set():
                        pass
                    retried_at = time.monotonic()
                self._derive_handed()
                if time.monotonic() - swept_at >= self.sweep_seconds:
                    while self.derive_batch() and not self._stopping.is_set():
                        pass
                    swept_at = time.monotonic()
            except Exception:  # the store may be briefly unavailable; the sweep derives it later
                log.exception("derivation pass failed")
            self._wake.wait(min(self.sweep_seconds, self.retry_first_seconds))
            self._wake.clear()

    # -- the work ------------------------------------------------------------------------------
    def catch_up(self, through_seq: int) -> None:
        """Derive every message up to ``through_seq`` now (a reader about to look at mapped forms)."""
        while self._floor < through_seq and self.derive_batch(through_seq):
            pass

    def retry_due(self) -> int:
        """Try again up to ``batch_size`` messages whose mapping failed and whose next attempt is due
        (all of them, the first time a process asks); returns how many were tried."""
        if not self._mapped:
            return 0
        everything, self._retry_all = self._retry_all, False
        query = select(DeriveFailure.message_seq).order_by(DeriveFailure.message_seq).limit(self.batch_size)
        if everything:  # in seq order, from where the previous call of this pass stopped
            query = query.where(DeriveFailure.message_seq > self._retried_through)
        else:
            query = query.where(DeriveFailure.next_attempt_at <= now())
        with self.store.read() as s:
            due = list(s.execute(query).scalars())
        if due:
            self._derive(due, retry=True)
        if everything and len(due) == self.batch_size:
            self._retry_all, self._retried_through = True, due[-1]  # more than one batch: go on next call
        return len(due)

    def derive_batch(self, through_seq: int | None = None) -> int:
        """The sweep: up to ``batch_size`` underived messages above the floor, in seq order."""
        if not self._mapped:
            return 0
        return self._derive(None, through_seq)

    def _derive(self, seqs: list[int] | None, through_seq: int | None = None, *, retry: bool = False) -> int:
        """Derive the given messages (or the sweep's next batch) that are still underived, in one
        transaction; returns how many were derived. A message whose mapping failed before is left
        to `retry_due` (``retry``: these are its messages, due or not)."""
        with self.store.write() as s:
            if not self.store.is_sqlite:
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_KEY})
            conn = s.connection()
            params: dict[str, Any] = {"services": list(self._mapped), "limit": self.batch_size}
            if seqs is not None:
                q, params["seqs"] = (_PENDING_RETRIED if retry else _PENDING_HANDED), list(seqs)
            else:
                q, params["floor"] = (_PENDING_ABOVE if through_seq is None else _PENDING_BETWEEN), self._floor
                if through_seq is not None:
                    params["through"] = through_seq
            pending = conn.execute(q, params).all()
            if retry and seqs is not None:
                # derived meanwhile (or no longer a message to map here): nothing is left to retry
                gone = set(seqs) - {seq for seq, _, _ in pending}
                if gone:
                    s.execute(delete(DeriveFailure).where(DeriveFailure.message_seq.in_(gone)))
            if not pending:
                if seqs is None:
                    self._advance_floor(s, through_seq)
                return 0
            bodies = self._bodies(s, pending)
            created = now()
            rows: list[dict[str, Any]] = []
            failed: dict[int, tuple[str, str]] = {}
            made_once: list[tuple[int, str, dict[str, Any]]] = []
            for seq, service_id, receipt_id in pending:
                made, error = self._map(seq, service_id, bodies[seq].canonical)
                rows += [{"message_seq": seq, "created_at": created, **m} for m in made]
                if error is not None:
                    failed[seq] = (service_id, error)
                elif len(made) == 1:
                    made_once.append((seq, receipt_id, made[0]["output"]))
            if rows:
                conn.execute(_INSERT_MAPPED, rows)
            if retry or failed:
                self._record_failures(s, [seq for seq, _, _ in pending], failed, created)
        for seq, receipt_id, output in made_once:  # committed: the deliveries of this process may use it
            self.decoded.put_mapped(seq, receipt_id, output)
        return len(pending)

    def _bodies(self, s: Session, pending: Sequence[Row[int, str, str]]) -> dict[int, Decoded]:
        """The decoded messages to map: those this process decoded already, the others read and kept
        for the deliveries that follow."""
        found: dict[int, Decoded] = {}
        for seq, _, receipt_id in pending:
            kept = self.decoded.get(seq, receipt_id)
            if kept is not None:
                found[seq] = kept
        missing = [seq for seq, _, _ in pending if seq not in found]
        if missing:
            for seq, receipt_id, envelope, canonical in s.connection().execute(_ORIGINALS, {"seqs": missing}):
                found[seq] = self.decoded.put(seq, Decoded(receipt_id, envelope, canonical))
        return found

    def _map(self, seq: int, service_id: str, body: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
        """(mapped forms, None) or ([], why the mapping failed)."""
        service = self.services.get(service_id)
        try:
            made = service.map(body) if service is not None else []
        except Exception as exc:  # a mapping fault must not stop the others; the original is kept
            return [], f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        if not made:
            return [], f"no mapped form was made (service {service_id})"
        return made, None

    def _record_failures(self, s: Session, tried: list[int], failed: dict[int, tuple[str, str]],
                         at: datetime) -> None:
        """Keep each failure with its next attempt; forget the earlier failures of what succeeded."""
        before = {seq: attempts for seq, attempts in s.execute(
            select(DeriveFailure.message_seq, DeriveFailure.attempts).where(DeriveFailure.message_seq.in_(tried)))}
        recovered = [seq for seq in tried if seq in before and seq not in failed]
        if recovered:
            s.execute(delete(DeriveFailure).where(DeriveFailure.message_seq.in_(recovered)))
            for seq in recovered:
                log.info("message %s derived after %d failed attempts", seq, before[seq])
        for seq, (service_id, error) in failed.items():
            attempts = before.get(seq, 0) + 1
            next_at = at + timedelta(seconds=retry_delay(attempts, self.retry_first_seconds, self.retry_cap_seconds))
            values = {"attempts": attempts, "error": error, "failed_at": at, "next_attempt_at": next_at}
            if seq in before:
                s.execute(update(DeriveFailure).where(DeriveFailure.message_seq == seq).values(values))
            else:
                s.execute(insert(DeriveFailure).values(message_seq=seq, **values))
            metrics.DERIVE_FAILED.labels(service_id).inc()
            log.warning("deriving message %s (%s) failed, attempt %d, next at %s: %s",
                        seq, service_id, attempts, next_at.isoformat(timespec="seconds"), error)

    def _advance_floor(self, s: Session, through_seq: int | None) -> None:
        """Nothing is underived above the floor (up to ``through_seq``): raise it.

        On SQLite the single writer commits in seq order, so the top seq now is a safe floor. On
        PostgreSQL a transaction holding a lower seq may still commit later, so the floor only rises to
        a top seen ``COMMIT_LAG_SECONDS`` ago; a process start sweeps from zero."""
        top = s.execute(select(func.max(Message.seq))).scalar() or 0
        if through_seq is not None:
            top = min(top, through_seq)
        if self.store.is_sqlite:
            self._floor = max(self._floor, int(top))
        elif through_seq is None:
            now_m = time.monotonic()
            self._tops.append((now_m, int(top)))
            while self._tops and now_m - self._tops[0][0] >= COMMIT_LAG_SECONDS:
                self._floor = max(self._floor, self._tops.popleft()[1])

"""The outbox: claim due deliveries in accept order, record each attempt, retry or dead-letter.

A delivery is claimable only when no earlier delivery for the same (destination, subject key) is
still pending or in flight, so one resident's changes reach each destination in accept order while
other residents and other destinations go on. A dead letter releases the ones behind it.

A claim may carry a cap on the destination's rows in flight. The cap is enforced here, in the
store, for every process at once: on PostgreSQL the claims of one destination take a transaction
advisory lock, count what is in flight and claim only the room left, so two hub processes cannot
both see room for the same rows. A claim whose rows could not be handed on (the broker was away)
is released at once instead of waiting for its lease.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Integer, and_, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from broker import audit, metrics
from broker.clock import now
from broker.db import advisory_key
from broker.decoded import Decoded, DecodedMessages
from broker.models import AttemptOutcome, Delivery, DeliveryAttempt, DeliveryStatus, MappedRecord, Message, table_of
from broker.retry import RetryPolicy
from broker.store import Store
from broker.store import affected as _count


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    destination: str
    attempt: int
    receipt_id: str
    envelope: dict[str, Any]
    canonical: dict[str, Any]
    mapped: dict[str, Any] | None
    claimed_at: datetime
    owner: str = ""
    message_seq: int = 0


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    ok: bool
    detail: str = ""
    retryable: bool = True
    started_at: datetime | None = None
    owner: str = ""  # the claim this outcome belongs to; a lapsed claim's outcome is ignored


class Outbox:
    def __init__(self, store: Store, policy: RetryPolicy, lease_seconds: float = 60.0) -> None:
        self.store = store
        self.policy = policy
        self.lease = timedelta(seconds=lease_seconds)
        #: messages decoded once for every destination's claim (and the derive stage of this process)
        self.decoded = DecodedMessages()

    def claim(self, destination: str, owner: str, limit: int = 50, *, with_mapped: bool = True,
              max_in_flight: int | None = None) -> list[Claimed]:
        """Claim up to ``limit`` due rows; with ``max_in_flight``, never more than that in flight at once.
        ``with_mapped=False`` skips reading the stored mapped forms (:meth:`mapped_forms` reads those a
        batch's deliveries send)."""
        t = now()
        with self.store.write() as s:
            ids = self._claim_ids(s, destination, owner, limit, max_in_flight, t)
            return self._load(s, ids, owner, t, with_mapped) if ids else []

    def claim_ids(self, destination: str, owner: str, limit: int = 50, *,
                  max_in_flight: int | None = None) -> list[int]:
        """Claim like :meth:`claim` but read nothing of the messages: for a relay that hands the ids on
        to workers, which read the rows themselves (:meth:`take`)."""
        with self.store.write() as s:
            return self._claim_ids(s, destination, owner, limit, max_in_flight, now())

    def take(self, delivery_ids: list[int], owner: str, *, with_mapped: bool = False) -> list[Claimed]:
        """For a worker handed claimed ids (Celery): the rows the claim ``owner`` still holds, their
        leases renewed, in accept order; rows whose claim lapsed meanwhile are left to their new owner.
        The stored mapped forms are read with the batch (``deliver_and_record``), as for a claim."""
        if not delivery_ids:
            return []
        t = now()
        with self.store.write() as s:
            held = list(s.execute(update(Delivery).where(
                Delivery.id.in_(delivery_ids), Delivery.status == DeliveryStatus.IN_FLIGHT,
                Delivery.lease_owner == owner,
            ).values(lease_until=t + self.lease).returning(Delivery.id)).scalars())
            return self._load(s, held, owner, t, with_mapped) if held else []

    def _claim_ids(self, s: Session, destination: str, owner: str, limit: int, max_in_flight: int | None,
                   t: datetime) -> list[int]:
        if max_in_flight is not None:
            if not self.store.is_sqlite:  # SQLite: the write transaction already excludes other claims
                s.execute(_ADVISORY_LOCK, {"key": _claim_lock_key(destination)})
            busy = s.execute(_IN_FLIGHT, {"destination": destination}).scalar_one()
            limit = min(limit, max_in_flight - int(busy))
            if limit <= 0:
                return []
        due = _DUE if self.store.is_sqlite else _DUE_LOCKED
        ids = list(s.execute(due, {"destination": destination, "t": t, "limit": limit}).scalars())
        if ids:
            s.execute(_TAKE, {"ids": ids, "until": t + self.lease, "owner": owner})
        return ids

    def _load(self, s: Session, ids: list[int], owner: str, t: datetime, with_mapped: bool) -> list[Claimed]:
        """The claimed rows with their messages, in accept order. A message is decoded once for all its
        destinations (``broker.decoded``): only the messages not decoded yet are read in full."""
        rows = s.execute(_CLAIMED, {"ids": ids}).all()
        decoded: dict[int, Decoded] = {}
        missing: set[int] = set()
        for r in rows:
            found = self.decoded.get(r.message_seq, r.receipt_id)
            if found is None:
                missing.add(r.message_seq)
            else:
                decoded[r.message_seq] = found
        if missing:
            for seq, receipt_id, envelope, canonical in s.execute(_CONTENT, {"seqs": list(missing)}):
                decoded[seq] = self.decoded.put(seq, Decoded(receipt_id, envelope, canonical))
        if with_mapped:
            unmapped = [seq for seq, d in decoded.items() if d.mapped is None]
            if unmapped:
                for seq, output in s.execute(_MAPPED, {"seqs": unmapped}):
                    decoded[seq] = replace(decoded[seq], mapped=output)
                    self.decoded.put_mapped(seq, decoded[seq].receipt_id, output)
        claimed = []
        for r in rows:
            d = decoded[r.message_seq]
            claimed.append(Claimed(r.id, r.destination, r.attempts, d.receipt_id, d.envelope, d.canonical,
                                   d.mapped if with_mapped else None, t, owner, r.message_seq))
        return claimed

    def mapped_forms(self, claimed: list[Claimed]) -> dict[int, dict[str, Any]]:
        """The stored mapped forms of the claimed rows' messages, by message seq (none yet: absent);
        those this process decoded before are not read again."""
        found: dict[int, dict[str, Any]] = {}
        receipts: dict[int, str] = {}
        for c in claimed:
            kept = self.decoded.get(c.message_seq, c.receipt_id)
            if kept is not None and kept.mapped is not None:
                found[c.message_seq] = kept.mapped
            else:
                receipts[c.message_seq] = c.receipt_id
        if receipts:
            with self.store.read() as s:
                for seq, output in s.execute(_MAPPED, {"seqs": list(receipts)}):
                    found[seq] = output
                    self.decoded.put_mapped(seq, receipts[seq], output)
        return found

    def record(self, outcomes: list[Outcome]) -> None:
        """Write the outcome of a group of attempts in one transaction: one UPDATE and one INSERT for
        the whole group (Core statements, no ORM object per row), and one audit entry listing every
        attempt of the group, whose seq each attempt row carries."""
        if not outcomes:
            return
        t = now()
        parts: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        attempts: list[dict[str, Any]] = []
        counted: Counter[tuple[str, AttemptOutcome]] = Counter()
        with self.store.write() as s:
            conn = s.connection()
            rows = {d.id: d for d in conn.execute(_OUTCOME_ROWS, {"ids": [o.delivery_id for o in outcomes]})}
            for o in outcomes:
                d = rows.get(o.delivery_id)
                if d is None or d.status != DeliveryStatus.IN_FLIGHT or (o.owner and d.lease_owner != o.owner):
                    continue  # lease lost meanwhile; the current owner records its own outcome
                change = {"b_id": d.id, "b_status": DeliveryStatus.PENDING, "b_delivered_at": d.delivered_at,
                          "b_last_error": o.detail[:2000], "b_next": d.next_attempt_at}
                if o.ok:
                    change.update(b_status=DeliveryStatus.DELIVERED, b_delivered_at=t, b_last_error=None)
                    result = AttemptOutcome.DELIVERED
                elif not o.retryable or self.policy.exhausted(d.attempts):
                    change["b_status"] = DeliveryStatus.DEAD
                    result = AttemptOutcome.DEAD
                else:
                    change["b_next"] = t + timedelta(seconds=self.policy.delay(d.attempts))
                    result = AttemptOutcome.FAILED
                changes.append(change)
                attempts.append({"delivery_id": d.id, "attempt_no": d.attempts, "started_at": o.started_at or t,
                                 "finished_at": t, "outcome": result, "detail": o.detail[:2000] or None})
                counted[(d.destination, result)] += 1
                parts.append({"id": d.id, "destination": d.destination, "messageSeq": d.message_seq,
                              "attempt": d.attempts, "outcome": str(result)})
            if changes:
                audit_seq = audit.append(s, "hub", audit.DELIVERIES_RECORDED, _group_subject(parts),
                                         {"deliveries": parts})
                for row in attempts:
                    row["audit_seq"] = audit_seq
                conn.execute(_RECORD_OUTCOME, changes)
                conn.execute(_INSERT_ATTEMPTS, attempts)
        for (destination, outcome), n in counted.items():  # counted once the outcomes are committed
            metrics.DELIVERIES.labels(destination, outcome).inc(n)

    def release(self, delivery_ids: list[int], owner: str) -> int:
        """Give back rows this claim took but never handed on: pending again at once, and the claim
        does not count as an attempt (nothing was tried)."""
        if not delivery_ids:
            return 0
        with self.store.write() as s:
            res = s.execute(update(Delivery).where(
                Delivery.id.in_(delivery_ids), Delivery.status == DeliveryStatus.IN_FLIGHT,
                Delivery.lease_owner == owner,
            ).values(status=DeliveryStatus.PENDING, lease_until=None, lease_owner=None,
                     attempts=Delivery.attempts - 1))
            return _count(res)

    def reclaim(self, owner_prefix: str, lease_until_before: datetime) -> int:
        """Return to the queue the rows claimed under ``owner_prefix`` whose lease was set before
        ``lease_until_before`` and never renewed: their tasks may have been lost with a broker restart
        (a worker's reserved tasks go back to a broker that is away), and need not wait out the lease."""
        with self.store.write() as s:
            res = s.execute(update(Delivery).where(
                Delivery.status == DeliveryStatus.IN_FLIGHT, Delivery.lease_owner.startswith(owner_prefix),
                Delivery.lease_until < lease_until_before,
            ).values(status=DeliveryStatus.PENDING, lease_until=None, lease_owner=None))
            return _count(res)

    def expire_leases(self) -> int:
        """Return deliveries whose worker vanished (lease passed) to the queue."""
        with self.store.write() as s:
            res = s.execute(update(Delivery)
                            .where(Delivery.status == DeliveryStatus.IN_FLIGHT, Delivery.lease_until < now())
                            .values(status=DeliveryStatus.PENDING, lease_until=None, lease_owner=None))
            return _count(res)

    def release_all_leases(self) -> int:
        """At start-up of the only process using the store (embedded SQLite): every claim is void."""
        with self.store.write() as s:
            res = s.execute(update(Delivery).where(Delivery.status == DeliveryStatus.IN_FLIGHT)
                            .values(status=DeliveryStatus.PENDING, lease_until=None, lease_owner=None))
            return _count(res)

    def due_destinations(self) -> list[str]:
        with self.store.read() as s:
            return list(s.execute(select(Delivery.destination).where(
                Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now()).distinct()).scalars())


# The claim's statements, built once: a relay claims many times a second, and building the
# ORM expressions (the aliased self-join above all) cost more than running them.
_deliveries = table_of(Delivery)
_earlier = _deliveries.alias("earlier")
_blocked = exists().where(and_(
    _earlier.c.destination == _deliveries.c.destination,
    _earlier.c.subject_key == _deliveries.c.subject_key,
    _earlier.c.message_seq < _deliveries.c.message_seq,
    _earlier.c.status.in_((DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT)),
))
_DUE = (
    select(_deliveries.c.id)
    .where(_deliveries.c.destination == bindparam("destination"), _deliveries.c.status == DeliveryStatus.PENDING,
           _deliveries.c.next_attempt_at <= bindparam("t"), ~_blocked)
    .order_by(_deliveries.c.message_seq)
    .limit(bindparam("limit", type_=Integer))
)
_DUE_LOCKED = _DUE.with_for_update(skip_locked=True, of=_deliveries)
_IN_FLIGHT = select(func.count()).select_from(_deliveries).where(
    _deliveries.c.destination == bindparam("destination"), _deliveries.c.status == DeliveryStatus.IN_FLIGHT)
_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))
_messages = table_of(Message)
_CLAIMED = (
    select(_deliveries.c.id, _deliveries.c.destination, _deliveries.c.attempts, _deliveries.c.message_seq,
           _messages.c.receipt_id)
    .join(_messages, _messages.c.seq == _deliveries.c.message_seq)
    .where(_deliveries.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_deliveries.c.message_seq)
)
_CONTENT = select(_messages.c.seq, _messages.c.receipt_id, _messages.c.envelope, _messages.c.canonical).where(
    _messages.c.seq.in_(bindparam("seqs", expanding=True)))
_mapped_records = table_of(MappedRecord)
_MAPPED = select(_mapped_records.c.message_seq, _mapped_records.c.output).where(
    _mapped_records.c.message_seq.in_(bindparam("seqs", expanding=True)))
_OUTCOME_ROWS = select(_deliveries.c.id, _deliveries.c.status, _deliveries.c.lease_owner, _deliveries.c.attempts,
                       _deliveries.c.destination, _deliveries.c.message_seq, _deliveries.c.next_attempt_at,
                       _deliveries.c.delivered_at).where(_deliveries.c.id.in_(bindparam("ids", expanding=True)))
_RECORD_OUTCOME = update(_deliveries).where(_deliveries.c.id == bindparam("b_id")).values(
    status=bindparam("b_status"), delivered_at=bindparam("b_delivered_at"), last_error=bindparam("b_last_error"),
    next_attempt_at=bindparam("b_next"), lease_until=None, lease_owner=None)
_INSERT_ATTEMPTS = insert(table_of(DeliveryAttempt))
_TAKE = update(_deliveries).where(_deliveries.c.id.in_(bindparam("ids", expanding=True))).values(
    status=DeliveryStatus.IN_FLIGHT, lease_until=bindparam("until"), lease_owner=bindparam("owner"),
    attempts=_deliveries.c.attempts + 1)


def _group_subject(parts: list[dict[str, Any]]) -> str:
    """``3 deliveries to sys-a, sys-b``: what an outcome group's audit entry is about, at a glance."""
    destinations = sorted({p["destination"] for p in parts})
    return f"{len(parts)} deliveries to {', '.join(destinations)}"[:200]


def _claim_lock_key(destination: str) -> int:
    """A stable signed 64-bit key per destination for PostgreSQL's advisory locks."""
    return advisory_key(f"chipla.claim:{destination}")

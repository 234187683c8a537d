"""The refusal log: what was refused, kept without letting a stranger fill the disk.

Input an authenticated sender sent is always kept whole in quarantine (its owner may need to correct
and resend it). Input nobody vouches for is different: anyone who can reach the port can send it,
so keeping it all would let an unauthenticated client fill the store at wire speed. Of anonymous
refusals the hub keeps a bounded sample (a few per client address per minute, the first bytes of
each) and counts the rest; a summary audit entry records how many were not kept. Quarantine itself
is bounded by age and total size; what the sweep removes is audited too.

Every refusal is also counted per client address: a client refused too often within a minute is
turned away at the door (2007) before its input is parsed, until its rate falls again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from broker import audit, metrics
from broker.clock import now
from broker.errors import HubError, NotAllowed
from broker.models import Quarantine
from broker.reasons import scrub
from broker.store import Store
from broker.store import affected as _count

log = logging.getLogger(__name__)

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class RefusalPolicy:
    retention_days: int = 90
    max_bytes: int = 1024 * 1024 * 1024
    refusals_per_minute: int = 120  # per client address, before it is turned away (2007)
    anonymous_samples_per_minute: int = 5  # per client address
    anonymous_samples_total_per_minute: int = 60
    anonymous_sample_bytes: int = 64 * 1024
    max_original_bytes: int = 4 * 1024 * 1024


class _Window:
    """Events per key within the last minute (a sliding window of timestamps, bounded by ``limit``)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._events: dict[str, deque[float]] = {}

    def count(self, key: str, t: float) -> int:
        q = self._events.get(key)
        if q is None:
            return 0
        while q and q[0] <= t - 60.0:
            q.popleft()
        if not q:
            del self._events[key]
            return 0
        return len(q)

    def admit(self, key: str, t: float) -> bool:
        if self.count(key, t) >= self.limit:
            return False
        self._events.setdefault(key, deque()).append(t)
        return True

    def forget_idle(self, t: float) -> None:
        for key in list(self._events):
            self.count(key, t)


class RefusalLog:
    def __init__(self, store: Store, policy: RefusalPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or RefusalPolicy()
        self._lock = threading.Lock()
        self._refusals = _Window(self.policy.refusals_per_minute)
        self._samples = _Window(self.policy.anonymous_samples_per_minute)
        self._all_samples = _Window(self.policy.anonymous_samples_total_per_minute)
        self._unsampled: dict[str, int] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, every_seconds: float = 60.0) -> None:
        """Sweep in the background for as long as the hub runs."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._sweep_forever, args=(every_seconds,),
                                        name="quarantine-sweep", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _sweep_forever(self, every_seconds: float) -> None:
        while not self._stopping.wait(every_seconds):
            try:
                self.sweep()
            except Exception:
                log.exception("quarantine sweep failed; trying again next round")

    # -- at the door -------------------------------------------------------------------------
    def turn_away(self, client: str, transport: str) -> NotAllowed | None:
        """The refusal for a client refused too often this minute, or None to let it in."""
        with self._lock:
            over = self._refusals.count(client, time.monotonic()) >= self.policy.refusals_per_minute
        if not over:
            return None
        metrics.RATE_LIMITED.labels(transport).inc()
        return NotAllowed(f"拒否された要求が多すぎます (1分あたり {self.policy.refusals_per_minute} 件まで)。"
                          "しばらく待ってから送り直してください", code="rate_limited")

    # -- after a refusal ---------------------------------------------------------------------
    def record(self, *, transport: str, original: bytes, headers: dict[str, Any], error: HubError,
               sender: str | None, client: str) -> None:
        """Keep the refusal (whole, sampled or counted) and audit it. Never raises: the answer to
        the sender matters more than the record of it."""
        metrics.REFUSED.labels(transport, error.result.code).inc()
        t = time.monotonic()
        with self._lock:
            self._refusals.admit(client, t)
            keep = sender is not None or (self._samples.admit(client, t) and self._all_samples.admit("*", t))
            if not keep:
                self._unsampled[error.result.code] = self._unsampled.get(error.result.code, 0) + 1
        if not keep:
            metrics.UNSAMPLED.labels(transport).inc()
            return
        limit = self.policy.max_original_bytes if sender else self.policy.anonymous_sample_bytes
        kept_headers = {**headers, "client": client}
        if len(original) > limit:
            kept_headers["truncatedFrom"] = len(original)
        reason = scrub(error.message)
        try:
            with self.store.write() as s:
                s.add(Quarantine(received_at=now(), transport=transport, sender=sender,
                                 result_code=error.result.code, reason=reason, original=original[:limit],
                                 headers=kept_headers))
                audit.append(s, sender or ANONYMOUS, f"refused.{error.result.name}", transport,
                             {"code": error.result.code, "reason": reason[:500], "client": client})
            metrics.QUARANTINED.labels(transport, "sender" if sender else "anonymous_sample").inc()
        except Exception:
            log.exception("could not write quarantine entry")

    # -- housekeeping ------------------------------------------------------------------------
    def sweep(self) -> dict[str, int]:
        """Apply retention and the size cap, and audit what was not kept since the last sweep."""
        with self._lock:
            unsampled, self._unsampled = self._unsampled, {}
            t = time.monotonic()
            for window in (self._refusals, self._samples, self._all_samples):
                window.forget_idle(t)
        with self.store.write() as s:
            expired = _count(s.execute(delete(Quarantine).where(
                Quarantine.received_at < now() - timedelta(days=self.policy.retention_days))))
            over_cap = self._trim_to_cap(s)
            if expired or over_cap:
                audit.append(s, "hub", "quarantine.purged", "quarantine",
                             {"expired": expired, "overSizeCap": over_cap,
                              "retentionDays": self.policy.retention_days, "maxBytes": self.policy.max_bytes})
            if unsampled:
                audit.append(s, ANONYMOUS, "refused.not_kept", "quarantine",
                             {"byCode": dict(sorted(unsampled.items())), "count": sum(unsampled.values())})
            total = s.execute(select(func.coalesce(func.sum(func.length(Quarantine.original)), 0))).scalar_one()
        metrics.QUARANTINE_BYTES.set(int(total))
        if expired:
            metrics.QUARANTINE_PURGED.labels("retention").inc(expired)
        if over_cap:
            metrics.QUARANTINE_PURGED.labels("size_cap").inc(over_cap)
        return {"expired": expired, "overSizeCap": over_cap, "notKept": sum(unsampled.values())}

    def _trim_to_cap(self, s: Session) -> int:
        """Delete the oldest entries until the originals together fit ``max_bytes``."""
        kept = 0
        cut: int | None = None
        sizes = s.execute(select(Quarantine.id, func.length(Quarantine.original)).order_by(Quarantine.id.desc()))
        for qid, size in sizes:
            kept += int(size or 0)
            if kept > self.policy.max_bytes:
                cut = int(qid)
                break
        if cut is None:
            return 0
        return _count(s.execute(delete(Quarantine).where(Quarantine.id <= cut)))

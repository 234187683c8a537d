"""Readiness: can this hub take work and pass it on right now? (``/readyz``; ``/healthz`` stays liveness.)

Three checks, each cheap and bounded in time:

- store: a round trip to the database. While it fails, senders get 5002 and should retry.
- broker (when Celery dispatches): a connection to the broker. While it fails, nothing is published;
  accepted work waits in the outbox.
- dispatcher: work is moving. Due deliveries that have waited longer than ``stall_seconds`` while
  no attempt (of any outcome, by any process) finished in that time means delivery has stalled.
  Backed-off retries are not due and do not count, so a receiver that is down does not make the hub
  unready; a dispatcher that stopped does.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text

from broker import backlog
from broker.clock import now
from broker.models import Delivery, DeliveryStatus
from broker.store import Store


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Report:
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "not_ready",
                "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in self.checks.items()}}


def _first_line(exc: BaseException) -> str:
    text_ = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text_[0][:200]}" if text_ else type(exc).__name__


class Readiness:
    def __init__(self, store: Store, broker_url: str = "", *, stall_seconds: float = 30.0,
                 cache_seconds: float = 1.0) -> None:
        self.store = store
        self.broker_url = broker_url
        self.stall_seconds = stall_seconds
        self.cache_seconds = cache_seconds
        self._last: tuple[float, Report] | None = None
        self._lock = threading.Lock()

    def report(self) -> Report:
        """The current report, computed at most once per ``cache_seconds`` (probes may come often)."""
        with self._lock:
            if self._last is not None and time.monotonic() - self._last[0] < self.cache_seconds:
                return self._last[1]
            checks = {"store": self._store()}
            if self.broker_url:
                checks["broker"] = self._broker()
            checks["dispatcher"] = self._dispatcher() if checks["store"].ok else Check(False, "store unreachable")
            result = Report(checks)
            self._last = (time.monotonic(), result)
            return result

    def _store(self) -> Check:
        try:
            with self.store.read() as s:
                s.execute(text("SELECT 1"))
            return Check(True)
        except Exception as exc:
            return Check(False, _first_line(exc))

    def _broker(self) -> Check:
        from kombu import Connection

        try:
            with Connection(self.broker_url, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            return Check(True)
        except Exception as exc:
            return Check(False, _first_line(exc))

    def _dispatcher(self) -> Check:
        try:
            with self.store.read() as s:
                oldest_due = s.execute(select(func.min(Delivery.next_attempt_at)).where(
                    Delivery.status == DeliveryStatus.PENDING)).scalar()
            if oldest_due is None:
                return Check(True, "no work waiting")
            waited = (now() - backlog.aware(oldest_due)).total_seconds()
            if waited <= self.stall_seconds:
                return Check(True, f"oldest due delivery waiting {waited:.0f} s")
            quiet = backlog.last_attempt_age(self.store)
            if quiet is not None and quiet <= self.stall_seconds:
                return Check(True, f"oldest due delivery waiting {waited:.0f} s; last attempt {quiet:.0f} s ago")
            return Check(False, f"stalled: a due delivery has waited {waited:.0f} s and no attempt finished "
                                f"in the last {self.stall_seconds:.0f} s")
        except Exception as exc:
            return Check(False, _first_line(exc))

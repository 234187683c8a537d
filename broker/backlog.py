"""The outbox backlog as the store sees it: undelivered rows and the age of the oldest, per destination.

Computed from the store, not from counters of one process, so every hub process and every worker
reports the same numbers however many there are, and a stalled dispatcher shows as a growing age
even when no process is left to count anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from broker.clock import JST, now
from broker.models import Delivery, DeliveryAttempt, DeliveryStatus
from broker.store import Store

UNDELIVERED = (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT)


@dataclass(frozen=True)
class DestinationBacklog:
    destination: str
    pending: int
    in_flight: int
    oldest_age_seconds: float  # since the oldest undelivered row was accepted


def aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=JST)


def backlog(store: Store) -> list[DestinationBacklog]:
    t = now()
    with store.read() as s:
        rows = s.execute(select(Delivery.destination, Delivery.status, func.count(), func.min(Delivery.created_at))
                         .where(Delivery.status.in_(UNDELIVERED))
                         .group_by(Delivery.destination, Delivery.status)).all()
    counts: dict[tuple[str, str], int] = {}
    oldest: dict[str, datetime] = {}
    for dest, status, count, first in rows:
        counts[(dest, status)] = int(count)
        if first is not None and (dest not in oldest or aware(first) < oldest[dest]):
            oldest[dest] = aware(first)
    return [DestinationBacklog(dest, counts.get((dest, DeliveryStatus.PENDING), 0),
                               counts.get((dest, DeliveryStatus.IN_FLIGHT), 0),
                               max((t - oldest[dest]).total_seconds(), 0.0) if dest in oldest else 0.0)
            for dest in sorted({d for d, _ in counts})]


def last_attempt_age(store: Store) -> float | None:
    """Seconds since any dispatcher last finished an attempt (delivered, failed or dead-lettered)."""
    with store.read() as s:
        last = s.execute(select(func.max(DeliveryAttempt.finished_at))).scalar()
    return None if last is None else max((now() - aware(last)).total_seconds(), 0.0)


class BacklogCollector(Collector):
    """Prometheus gauges read from the store at scrape time; nothing is reported while it is away."""

    def __init__(self) -> None:
        self.store: Store | None = None

    def attach(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        store = self.store
        if store is None:
            return
        try:
            rows = backlog(store)
        except Exception:  # the store is away: /readyz says so; the gauges are simply absent
            return
        pending = GaugeMetricFamily("chipla_outbox_backlog", "Undelivered outbox rows (pending or in flight) "
                                    "per destination, across all processes", labels=["destination", "status"])
        age = GaugeMetricFamily("chipla_outbox_oldest_undelivered_age_seconds", "Age of the oldest undelivered "
                                "outbox row per destination, across all processes", labels=["destination"])
        for r in rows:
            pending.add_metric([r.destination, DeliveryStatus.PENDING], r.pending)
            pending.add_metric([r.destination, DeliveryStatus.IN_FLIGHT], r.in_flight)
            age.add_metric([r.destination], r.oldest_age_seconds)
        yield pending
        yield age

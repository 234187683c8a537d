"""Numbers for the dashboards, read from the store: throughput and errors per route per hour, dead
letter depth, delivery latency percentiles. Work is bounded by the time window, not the table size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from broker.clock import as_jst, now
from broker.models import Delivery, DeliveryAttempt, Message
from broker.store import Store

HOURS = 24
LATENCY_SAMPLE = 20000


@dataclass
class Series:
    label: str
    values: list[int]


@dataclass
class RouteStats:
    hours: list[datetime]  # start of each hour bucket, JST
    accepted: list[Series]  # per service/operation
    delivered: list[Series]  # per destination
    failed: list[Series]  # per destination (failed or dead attempts)
    error_rate: dict[str, float]  # per destination over the window
    dead_depth: dict[str, int]
    pending_depth: dict[str, int]
    latency: dict[str, dict[str, float]]  # destination → p50/p90/p99 in ms, and n


def _bucket(at: datetime, start: datetime) -> int:
    return int((as_jst(at) - start).total_seconds() // 3600)


def route_stats(store: Store, at: datetime | None = None) -> RouteStats:
    end = (at or now()).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=HOURS)
    hours = [start + timedelta(hours=i) for i in range(HOURS)]
    accepted: dict[str, list[int]] = {}
    delivered: dict[str, list[int]] = {}
    failed: dict[str, list[int]] = {}
    with store.read() as s:
        for service, operation, t in s.execute(
                select(Message.service, Message.operation, Message.accepted_at)
                .where(Message.accepted_at >= start)).tuples():
            accepted.setdefault(f"{service}/{operation}", [0] * HOURS)[_bucket(t, start)] += 1
        for dest, outcome, t in s.execute(
                select(Delivery.destination, DeliveryAttempt.outcome, DeliveryAttempt.finished_at)
                .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
                .where(DeliveryAttempt.finished_at >= start)).tuples():
            target = delivered if outcome == "delivered" else failed
            target.setdefault(dest, [0] * HOURS)[_bucket(t, start)] += 1
            (failed if target is delivered else delivered).setdefault(dest, [0] * HOURS)
        depth = s.execute(select(Delivery.destination, Delivery.status, func.count())
                          .where(Delivery.status.in_(("dead", "pending", "in_flight")))
                          .group_by(Delivery.destination, Delivery.status)).tuples().all()
        latency_rows = s.execute(
            select(Delivery.destination, Delivery.delivered_at, Message.accepted_at)
            .join(Message, Message.seq == Delivery.message_seq)
            .where(Delivery.status == "delivered", Delivery.delivered_at >= start)
            .order_by(Delivery.id.desc()).limit(LATENCY_SAMPLE)).tuples().all()
    dead: dict[str, int] = {}
    pending: dict[str, int] = {}
    for dest, status, n in depth:
        (dead if status == "dead" else pending)[dest] = (dead if status == "dead" else pending).get(dest, 0) + n
    per_dest: dict[str, list[float]] = {}
    for dest, done, accepted_at in latency_rows:
        if done is None:
            continue
        per_dest.setdefault(dest, []).append((as_jst(done) - as_jst(accepted_at)).total_seconds() * 1000)
    error_rate = {d: (sum(failed.get(d, [])) / max(1, sum(failed.get(d, [])) + sum(delivered.get(d, []))))
                  for d in sorted(delivered.keys() | failed.keys())}
    return RouteStats(
        hours=hours,
        accepted=[Series(k, v) for k, v in sorted(accepted.items())],
        delivered=[Series(k, v) for k, v in sorted(delivered.items())],
        failed=[Series(k, v) for k, v in sorted(failed.items())],
        error_rate=error_rate, dead_depth=dict(sorted(dead.items())), pending_depth=dict(sorted(pending.items())),
        latency={d: percentiles(v) for d, v in sorted(per_dest.items())})


def percentiles(values: list[float]) -> dict[str, float]:
    """Nearest-rank p50/p90/p99 (no interpolation: each is a latency that really happened)."""
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, min(len(ordered) - 1, int(-(-len(ordered) * p // 100)) - 1))], 1)
    return {"n": len(ordered), "p50": rank(50), "p90": rank(90), "p99": rank(99)} if ordered else {"n": 0}


def bars(values: list[int], width: int = 480, height: int = 80) -> dict[str, Any]:
    """Geometry of a bar chart drawn as inline SVG in the template (no script needed)."""
    top = max(values) if values and max(values) > 0 else 1
    step = width / max(1, len(values))
    return {"width": width, "height": height, "top": top,
            "bars": [{"x": round(i * step, 1), "w": round(step * 0.8, 1), "h": round(v / top * (height - 4), 1),
                      "y": round(height - v / top * (height - 4), 1), "v": v} for i, v in enumerate(values)]}

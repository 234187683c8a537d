"""Deliver one claimed batch: in parallel, and never past the point where the claim could lapse.

A claimed batch never holds two deliveries for the same subject (the outbox sees to that), so its
rows may go out in parallel without breaking per-resident order. A batch to a slow destination
could outlast its lease and be claimed again while still being delivered; so no delivery starts
after ``budget_seconds`` (half the lease), and the rows not started go back to the outbox
untried, to be claimed again at once without counting an attempt.

The rows are prepared (destination, adapter, redacted body) before any goes out, so the stored
mapped forms are read in one go, and only for the deliveries that send them: a body redacted for
its destination is mapped again, and its stored form is never read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from broker.dispatch.base import Deliverer, Prepared
from broker.outbox import Claimed, Outbox, Outcome


def deliver_batch(deliverer: Deliverer, claimed: list[Claimed], pool: Executor, budget_seconds: float,
                  stored_forms: Callable[[list[Claimed]], dict[int, dict[str, Any]]] | None = None,
                  parallel: int = 4) -> tuple[list[Outcome], list[Claimed]]:
    """The outcomes of the rows tried, and the rows not started within the budget. ``stored_forms``
    reads the stored mapped forms of the rows that send one and were claimed without it. ``parallel``
    senders each take the next row until none is left (one task each, not one per row)."""
    deadline = time.monotonic() + budget_seconds
    prepared = [deliverer.prepare(c) for c in claimed]
    wanted = [p.claimed for p in prepared if isinstance(p, Prepared) and p.wants_stored and p.claimed.mapped is None]
    stored = stored_forms(wanted) if wanted and stored_forms is not None else {}
    results: list[Outcome | None] = [None] * len(prepared)
    rows = iter(range(len(prepared)))
    taking = threading.Lock()

    def sender() -> None:
        while True:
            with taking:
                i = next(rows, None)
            if i is None or time.monotonic() >= deadline:
                return
            p = prepared[i]
            results[i] = p if isinstance(p, Outcome) else deliverer.send(p, p.claimed.mapped
                                                                         or stored.get(p.claimed.message_seq))

    for task in [pool.submit(sender) for _ in range(min(parallel, len(prepared)))]:
        task.result()
    outcomes = [r for r in results if r is not None]
    untried = [c for c, r in zip(claimed, results, strict=True) if r is None]
    return outcomes, untried


def deliver_and_record(outbox: Outbox, deliverer: Deliverer, claimed: list[Claimed], pool: Executor,
                       parallel: int = 4) -> list[Outcome]:
    """Deliver a batch, record its outcomes in one transaction, give back what was not started."""
    outcomes, untried = deliver_batch(deliverer, claimed, pool, outbox.lease.total_seconds() / 2,
                                      outbox.mapped_forms, parallel)
    outbox.record(outcomes)
    if untried:
        outbox.release([c.delivery_id for c in untried], untried[0].owner)
    return outcomes

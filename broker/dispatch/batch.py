"""Deliver one claimed batch: in parallel, and never past the point where the claim could lapse.

A claimed batch never holds two deliveries for the same subject (the outbox sees to that), so its
rows may go out in parallel without breaking per-resident order. A batch to a slow destination
could outlast its lease and be claimed again while still being delivered; so no delivery starts
after ``budget_seconds`` (half the lease), and the rows not started go back to the outbox
untried, to be claimed again at once without counting an attempt.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor

from broker.dispatch.base import Deliverer
from broker.outbox import Claimed, Outbox, Outcome


def deliver_batch(deliverer: Deliverer, claimed: list[Claimed], pool: Executor,
                  budget_seconds: float) -> tuple[list[Outcome], list[Claimed]]:
    """The outcomes of the rows tried, and the rows not started within the budget."""
    deadline = time.monotonic() + budget_seconds

    def attempt(c: Claimed) -> Outcome | None:
        return deliverer.deliver(c) if time.monotonic() < deadline else None

    results = list(pool.map(attempt, claimed))
    outcomes = [r for r in results if r is not None]
    untried = [c for c, r in zip(claimed, results, strict=True) if r is None]
    return outcomes, untried


def deliver_and_record(outbox: Outbox, deliverer: Deliverer, claimed: list[Claimed], pool: Executor) -> list[Outcome]:
    """Deliver a batch, record its outcomes in one transaction, give back what was not started."""
    outcomes, untried = deliver_batch(deliverer, claimed, pool, outbox.lease.total_seconds() / 2)
    outbox.record(outcomes)
    if untried:
        outbox.release([c.delivery_id for c in untried], untried[0].owner)
    return outcomes

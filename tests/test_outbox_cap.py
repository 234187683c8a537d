"""The in-flight cap is the store's, not a process's: claims by different owners (hub processes)
together never pass it; a claim that could not be handed on is released at once, not counted; a
worker delivers only what its claim still holds, and no more than fits in half the lease."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import pytest
from sqlalchemy import func, select

from broker.dispatch.base import Deliverer, Prepared
from broker.dispatch.batch import deliver_and_record
from broker.envelope import Envelope, Header
from broker.hub import Hub
from broker.models import Delivery, DeliveryStatus
from broker.outbound import OutboundAdapter
from broker.outbox import Claimed, Outbox, Outcome
from broker.registry import SystemInfo, SystemRegistry
from broker.retry import RetryPolicy
from broker.store import Store
from chipla.services import catalog
from simulators.samples import SampleTown, header


@pytest.fixture
def filled(db_url: str) -> Iterator[tuple[Store, Outbox]]:
    store = Store(db_url)
    store.migrate()
    registry = SystemRegistry(store, ttl=0)
    registry.upsert_system({"id": "juki", "lgCode": "243035", "allow": ["jumin/IdoTsuchi"]})
    registry.upsert_system({"id": "zei", "lgCode": "243035", "deliveryKind": "fake"})
    registry.add_subscription("zei", "jumin", "IdoTsuchi")
    hub = Hub(store, registry, catalog())
    town = SampleTown()
    caller = registry.system("juki")
    futures = [hub.submit(Envelope(Header.from_wire(header("juki")), {"ido": town.tennyu()}, b"<x/>", "text/xml",
                                   "soap"), caller) for _ in range(40)]
    for f in futures:
        f.result(30)
    yield store, Outbox(store, RetryPolicy())
    hub.stop()
    store.dispose()


def _in_flight(store: Store) -> int:
    with store.read() as s:
        return int(s.execute(select(func.count()).select_from(Delivery).where(
            Delivery.status == DeliveryStatus.IN_FLIGHT)).scalar_one())


def test_owners_claiming_at_once_never_pass_the_cap(filled: tuple[Store, Outbox]) -> None:
    store, outbox = filled
    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(lambda n: len(outbox.claim("zei", f"hub-{n}", 5, max_in_flight=12)), range(6)))
    assert sum(got) == 12 and _in_flight(store) == 12
    assert outbox.claim("zei", "hub-late", 5, max_in_flight=12) == []


def test_a_released_claim_is_pending_again_and_no_attempt(filled: tuple[Store, Outbox]) -> None:
    store, outbox = filled
    claimed = outbox.claim("zei", "relay-1", 10, max_in_flight=10)
    ids = [c.delivery_id for c in claimed]
    assert outbox.release(ids[3:], "someone-else") == 0  # only the claim that holds them may give them back
    assert outbox.release(ids[3:], "relay-1") == 7
    assert _in_flight(store) == 3
    with store.read() as s:
        attempts = dict(s.execute(select(Delivery.id, Delivery.attempts).where(Delivery.id.in_(ids))).all())
    assert [attempts[i] for i in ids[3:]] == [0] * 7 and [attempts[i] for i in ids[:3]] == [1] * 3
    again = outbox.claim("zei", "relay-2", 50, max_in_flight=10)
    assert len(again) == 7  # room for 7 more beside the 3 still in flight


def test_a_worker_takes_only_the_rows_its_claim_still_holds(filled: tuple[Store, Outbox]) -> None:
    store, outbox = filled
    ids = outbox.claim_ids("zei", "relay-1", 10)
    assert len(ids) == 10
    outbox.release(ids[:4], "relay-1")
    other = outbox.claim_ids("zei", "relay-2", 4)  # the released rows, now another claim's
    assert sorted(other) == sorted(ids[:4])
    taken = outbox.take(ids, "relay-1")
    assert [c.delivery_id for c in taken] == ids[4:]  # in accept order, none of relay-2's
    assert all(c.owner == "relay-1" and c.canonical for c in taken)
    assert outbox.take(ids, "relay-9") == []


class _SlowDeliverer:
    """Stands in for the adapters: each delivery takes a while and succeeds."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def prepare(self, claimed: Claimed) -> Prepared:
        return Prepared(claimed, cast(SystemInfo, None), cast(OutboundAdapter, None), cast(Header, None), None, {},
                        (), wants_stored=False)

    def send(self, prepared: Prepared, stored: object) -> Outcome:
        time.sleep(self.seconds)
        return Outcome(prepared.claimed.delivery_id, True, owner=prepared.claimed.owner)


def test_a_batch_starts_nothing_past_half_its_lease_and_gives_the_rest_back(filled: tuple[Store, Outbox]) -> None:
    store, _ = filled
    outbox = Outbox(store, RetryPolicy(), lease_seconds=0.4)  # budget: 0.2 s
    claimed = outbox.claim("zei", "worker-1", 12)
    with ThreadPoolExecutor(1) as pool:
        outcomes = deliver_and_record(outbox, cast(Deliverer, _SlowDeliverer(0.05)), claimed, pool)
    assert 0 < len(outcomes) < len(claimed)
    tried = {o.delivery_id for o in outcomes}
    with store.read() as s:
        q = select(Delivery.id, Delivery.status, Delivery.attempts).where(
            Delivery.id.in_([c.delivery_id for c in claimed]))
        rows = {d.id: (d.status, d.attempts) for d in s.execute(q)}
    for c in claimed:
        expected = (DeliveryStatus.DELIVERED, 1) if c.delivery_id in tried else (DeliveryStatus.PENDING, 0)
        assert rows[c.delivery_id] == expected

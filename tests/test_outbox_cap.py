"""The in-flight cap is the store's, not a process's: claims by different owners (hub processes)
together never pass it; a claim that could not be handed on is released at once, not counted."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from broker.envelope import Envelope, Header
from broker.hub import Hub
from broker.models import Delivery, DeliveryStatus
from broker.outbox import Outbox
from broker.registry import SystemRegistry
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

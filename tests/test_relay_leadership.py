"""One relay per destination across hub processes: the holder of the destination's session lock
claims; the others wait, and one of them takes over when the holder's session ends."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from broker.dispatch.leadership import Leadership
from broker.store import Store
from tests.pg import ThrowawayPostgres

pytestmark = pytest.mark.postgres


@pytest.fixture
def stores(postgres: ThrowawayPostgres) -> Iterator[tuple[Store, Store]]:
    url = postgres.new_database()
    a, b = Store(url), Store(url)  # two hub processes' stores
    yield a, b
    a.dispose()
    b.dispose()


def test_one_process_leads_each_destination(stores: tuple[Store, Store]) -> None:
    a, b = stores
    first, second = Leadership(a, "kokuho", check_seconds=0), Leadership(b, "kokuho", check_seconds=0)
    other = Leadership(b, "kaigo", check_seconds=0)
    try:
        assert first.holds()
        assert not second.holds()
        assert other.holds()  # another destination has its own lock
        assert first.holds()  # and keeps it
    finally:
        for lead in (first, second, other):
            lead.release()


def test_a_released_lock_is_free_at_once_not_kept_by_the_pool(stores: tuple[Store, Store]) -> None:
    a, b = stores
    first, second = Leadership(a, "zei", check_seconds=0), Leadership(b, "zei", check_seconds=0)
    try:
        assert first.holds()
        first.release()
        assert second.holds()
        assert not first.holds()
    finally:
        first.release()
        second.release()


@pytest.mark.parametrize("destination", ["kaigo", "sensor"])  # lock keys of either sign
def test_a_dead_leaders_lock_passes_to_another_process(stores: tuple[Store, Store], destination: str) -> None:
    a, b = stores
    first, second = Leadership(a, destination, check_seconds=0), Leadership(b, destination, check_seconds=0)
    try:
        assert first.holds() and not second.holds()
        with b.engine.connect() as admin:  # the leader's session ends, as when its process is killed
            ended = admin.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = :key"), {"key": first.key}
            ).scalars().all()
        assert ended == [True]
        # the server ends the session a moment after it is told to; the lock goes with it
        deadline = time.monotonic() + 10
        while not second.holds():
            assert time.monotonic() < deadline, "the dead leader's lock was never free"
            time.sleep(0.05)
        assert not first.holds()  # its connection is gone: it finds out and follows
    finally:
        first.release()
        second.release()

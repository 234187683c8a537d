"""The scaled-out dispatcher end to end: hub + redis-server + ``chipla worker`` processes on PostgreSQL.

What a user would notice: every message reaches every receiver once and in order per resident; a
worker killed mid-delivery loses nothing; a receiver that is down holds up no one else and catches
up when it returns; the hub never queues more than its in-flight cap for a destination.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from broker.dispatch.celery_relay import QUEUE, CeleryRelay
from broker.models import Delivery
from chipla.config import Settings
from simulators.loopback import free_port
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.pg import ThrowawayPostgres
from tests.support import RunningHub, start_hub

pytestmark = [pytest.mark.celery, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[1]
LEASE_SECONDS = 3
IN_FLIGHT_CAP = 20
_redis_databases = itertools.count(1)


@pytest.fixture(scope="module")
def redis_base() -> Iterator[str]:
    """A private redis-server on a free loopback port, nothing persisted."""
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--daemonize", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        _wait(lambda: _pings(client), 10, "redis-server did not start")
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def broker_url(redis_base: str) -> str:
    """A redis database of its own per test, so tasks left by one test never reach the next."""
    return f"{redis_base}/{next(_redis_databases)}"


class Worker:
    """A ``chipla worker`` subprocess configured exactly like the hub it serves."""

    def __init__(self, settings: Settings, log: Path, concurrency: int) -> None:
        env = dict(os.environ)
        env.update({f"CHIPLA_{f.name.upper()}": str(getattr(settings, f.name)) for f in fields(Settings)})
        self.log = log
        self.killed = False
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "chipla.cli", "worker", "--concurrency", str(concurrency)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """Like a machine dying: no warm shutdown, no task handed back to the broker."""
        self.killed = True
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """At the end of a test: a worker that exited by itself is a failure, whatever the test saw."""
        if self.proc.poll() is not None:
            if not self.killed:
                pytest.fail(f"chipla worker exited with {self.proc.returncode}:\n"
                            f"{self.log.read_text(errors='replace')[-3000:]}")
            return
        self.proc.kill()  # what it was doing no longer matters; everything it used is thrown away
        self.proc.wait(timeout=10)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(hub: RunningHub, concurrency: int = 4) -> Worker:
        w = Worker(hub.parts.settings, tmp_path / f"worker-{len(started)}.log", concurrency)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


@pytest.fixture
def make_hub(postgres: ThrowawayPostgres, broker_url: str) -> Iterator[Callable[..., RunningHub]]:
    hubs: list[RunningHub] = []

    def make(lease_seconds: float = LEASE_SECONDS) -> RunningHub:
        # Enough attempts that a receiver down for the length of a test is retried, not dead-lettered.
        hub = start_hub(postgres.new_database(), dispatcher="celery", broker_url=broker_url,
                        lease_seconds=lease_seconds, retry_base=0.2, max_attempts=40)
        hubs.append(hub)
        relay = hub.parts.dispatcher
        assert isinstance(relay, CeleryRelay)
        # Queued tasks should wait well under the 3 s lease on a small machine, or they are claimed again.
        relay.max_in_flight = IN_FLIGHT_CAP
        return hub

    yield make
    for hub in hubs:
        hub.stop()


# -- helpers -----------------------------------------------------------------------------------------

def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def _wait(done: Callable[[], bool], timeout: float, what: str,
          state: Callable[[], object] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s: {what} {state()}")
        time.sleep(0.1)


def send(hub: RunningHub, count: int, streams: int = 4) -> list[tuple[str, str]]:
    """Send ``count`` 異動通知 over SOAP from ``streams`` senders at once, each about residents of its
    own; return (message id, atena_no), in send order within each sender."""

    def stream(n: int) -> list[tuple[str, str]]:
        sender = JukiSender(hub.url, "juki", hub.juki_password)
        town = SampleTown(seed=n, start_atena=100000001 + n * 100000)
        sent = []
        for _ in range(count // streams + (n < count % streams)):
            meta, ido = header("juki"), town.next_ido()
            sender.send(meta, ido)
            sent.append((meta["messageId"], ido["jumin"]["shikibetsu"]["atenaNo"]))
        return sent

    with ThreadPoolExecutor(streams) as pool:
        return [item for part in pool.map(stream, range(streams)) for item in part]


def queued_delivery_ids(queue: redis.Redis) -> list[int]:
    """The delivery ids of every task waiting in the broker's queue (a task carries one claim's ids)."""
    ids: list[int] = []
    for raw in queue.lrange(QUEUE, 0, -1):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids += args[0]
    return ids


def statuses(hub: RunningHub, destination: str | None = None) -> dict[str, int]:
    q = select(Delivery.status, func.count()).group_by(Delivery.status)
    if destination is not None:
        q = q.where(Delivery.destination == destination)
    with hub.parts.store.read() as s:
        return {status: int(n) for status, n in s.execute(q).all()}


def all_delivered(hub: RunningHub, expected: int) -> bool:
    return statuses(hub) == {"delivered": expected}


def assert_received_once_in_order(hub: RunningHub, rid: str, sent: list[tuple[str, str]]) -> None:
    items = list(hub.receivers[rid].inbox.items)
    assert len({i["messageId"] for i in items}) == len(items) == len(sent), rid
    assert {i["correlationId"] for i in items} == {m for m, _ in sent}, rid
    for atena in {a for _, a in sent}:
        expected = [m for m, a in sent if a == atena]
        got = [i["correlationId"] for i in items if i["atenaNo"] == atena]
        assert got == expected, f"{rid} received resident {atena}'s changes out of order"


# -- tests -------------------------------------------------------------------------------------------

def test_every_message_reaches_every_receiver_once(make_hub: Callable[..., RunningHub],
                                                  start_worker: Callable[..., Worker]) -> None:
    hub = make_hub()
    start_worker(hub)
    sent = send(hub, 200)
    _wait(lambda: all_delivered(hub, 600), 30, "all 600 deliveries delivered", lambda: statuses(hub))
    for rid in hub.receivers:
        assert_received_once_in_order(hub, rid, sent)


def test_killed_worker_loses_nothing(make_hub: Callable[..., RunningHub],
                                     start_worker: Callable[..., Worker], broker_url: str) -> None:
    hub = make_hub()
    relay = hub.parts.dispatcher
    assert isinstance(relay, CeleryRelay)
    relay.batch_size = 2  # many small tasks, so the worker surely holds some when it dies
    sent = send(hub, 120)  # a backlog, so the worker is surely busy when it dies
    first = start_worker(hub)
    _wait(lambda: statuses(hub).get("delivered", 0) >= 90, 20, "the first worker to get going",
          lambda: statuses(hub))
    first.kill()
    queue = redis.Redis.from_url(broker_url)
    try:
        # Redis keeps the killed worker's tasks aside for an hour (its visibility timeout): only the
        # outbox lease brings that work back within this test.
        assert queue.hlen("unacked") > 0, "the worker was killed holding no task"
    finally:
        queue.close()
    start_worker(hub)
    _wait(lambda: all_delivered(hub, 360), 30, "the killed worker's work redone", lambda: statuses(hub))
    for rid in hub.receivers:
        assert_received_once_in_order(hub, rid, sent)


def test_down_receiver_delays_no_one_and_catches_up(make_hub: Callable[..., RunningHub],
                                                    start_worker: Callable[..., Worker]) -> None:
    hub = make_hub()
    start_worker(hub)
    hub.receivers["zei"].control(down=True)
    sent = send(hub, 40)
    _wait(lambda: all(len(hub.receivers[r].inbox.items) == 40 for r in ("kokuho", "kaigo")), 15,
          "kokuho and kaigo served while zei is down", lambda: statuses(hub))
    assert hub.receivers["zei"].inbox.items == []
    zei = statuses(hub, "zei")
    assert "delivered" not in zei and "dead" not in zei, zei
    with hub.parts.store.read() as s:
        tried = s.execute(select(func.count()).select_from(Delivery).where(
            Delivery.destination == "zei", Delivery.last_error.is_not(None))).scalar()
    assert tried, "zei was never tried"

    hub.receivers["zei"].control(down=False)
    _wait(lambda: all_delivered(hub, 120), 30, "zei catching up", lambda: statuses(hub, "zei"))
    for rid in hub.receivers:
        assert_received_once_in_order(hub, rid, sent)


def test_in_flight_is_capped_per_destination(make_hub: Callable[..., RunningHub],
                                             start_worker: Callable[..., Worker], broker_url: str) -> None:
    hub = make_hub(lease_seconds=60)  # no lease passes during this test: every task is a first claim
    cap = IN_FLIGHT_CAP
    sent = send(hub, cap + 10)
    subjects = len({a for _, a in sent})
    expected = min(cap, subjects)  # a resident's later change waits for the earlier one
    _wait(lambda: all(statuses(hub, r).get("in_flight") == expected for r in hub.receivers), 10,
          f"{expected} deliveries in flight per destination", lambda: statuses(hub))
    time.sleep(0.6)  # the relay keeps polling and being woken; it must not publish more
    queue = redis.Redis.from_url(broker_url)
    try:
        queued = queued_delivery_ids(queue)
    finally:
        queue.close()
    assert len(queued) == len(set(queued)) == expected * len(hub.receivers)
    for rid in hub.receivers:
        assert statuses(hub, rid).get("in_flight") == expected

    start_worker(hub)
    _wait(lambda: all_delivered(hub, len(sent) * 3), 30, "queued work delivered", lambda: statuses(hub))
    for rid in hub.receivers:
        assert_received_once_in_order(hub, rid, sent)

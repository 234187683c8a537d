"""A broker that is away does not stall delivery for a lease: the relay's failed publish releases
its claims at once, and the relay resumes within seconds of the broker coming back; a Redis worker
busy when the broker restarts stays up and takes tasks again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis as redis_client
from sqlalchemy import func, select

from broker.dispatch.celery_relay import QUEUE
from broker.models import Delivery
from simulators.loopback import free_port
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from simulators.servers import RedisServer
from tests.pg import ThrowawayPostgres
from tests.support import start_hub
from tests.test_celery_dispatch import Worker, assert_received_once_in_order, send
from tests.test_celery_dispatch import statuses as all_statuses

pytestmark = [pytest.mark.celery, pytest.mark.postgres]


def test_claims_are_released_while_the_broker_is_away_and_work_resumes(postgres: ThrowawayPostgres,
                                                                        tmp_path: Path) -> None:
    port = free_port()
    hub = start_hub(postgres.new_database(), dispatcher="celery", broker_url=f"redis://127.0.0.1:{port}/0",
                    lease_seconds=60, retry_base=0.2, max_attempts=40)
    redis = RedisServer(port)
    worker: Worker | None = None

    def statuses() -> dict[str, int]:
        with hub.parts.store.read() as s:
            return {k: int(v) for k, v in s.execute(select(Delivery.status, func.count()).group_by(Delivery.status))}

    try:
        sender = JukiSender(hub.url, "juki", hub.juki_password)
        town = SampleTown(seed=7)
        for _ in range(10):
            sender.send(header("juki"), town.tennyu())  # accepted: the broker is not needed to accept
        deadline = time.monotonic() + 20  # each relay claims once, fails to publish, and releases
        while statuses() != {"pending": 30}:
            assert time.monotonic() < deadline, f"claims of failed publishes stay in flight: {statuses()}"
            time.sleep(0.2)
        time.sleep(2)  # and claims nothing more while the broker is away
        assert statuses() == {"pending": 30}
        with hub.parts.store.read() as s:
            assert s.execute(select(func.max(Delivery.attempts))).scalar_one() == 0  # nothing was tried

        redis.start()
        worker = Worker(hub.parts.settings, tmp_path / "worker.log", 4)
        came_back = time.monotonic()
        while statuses() != {"delivered": 30}:
            assert time.monotonic() - came_back < 20, f"not delivered 20 s after the broker came: {statuses()}"
            time.sleep(0.2)
    finally:
        if worker is not None:
            worker.stop()
        hub.stop()
        redis.stop()


def test_a_worker_holding_tasks_when_redis_restarts_stays_up_and_takes_tasks_again(
        postgres: ThrowawayPostgres, tmp_path: Path) -> None:
    """Redis stopped while the worker runs deliveries and waits for more (its BRPOP open): closing the
    lost connection used to end the worker ("Unrecoverable error", chipla/worker.py). It reconnects by
    itself, finishes what it held, and delivers what comes after."""
    redis = RedisServer().start()
    hub = start_hub(postgres.new_database(), dispatcher="celery", broker_url=redis.url, lease_seconds=60,
                    retry_base=0.2, max_attempts=40)
    worker = Worker(hub.parts.settings, tmp_path / "worker.log", 8)
    try:
        deadline = time.monotonic() + 60
        while " ready." not in worker.log.read_text(errors="replace"):
            assert time.monotonic() < deadline, "the worker did not connect to Redis"
            time.sleep(0.2)
        for r in hub.receivers.values():
            r.control(delay=3)  # slow receivers: the deliveries are still running when Redis goes
        sent = send(hub, 2, streams=2)  # 6 deliveries for 8 threads: the worker also waits for more
        queue = redis_client.Redis.from_url(redis.url)
        try:  # every delivery claimed, and every task carrying them taken by the worker
            while (all_statuses(hub) != {"in_flight": 6} or queue.llen(QUEUE)
                   or "] received" not in worker.log.read_text(errors="replace")):
                assert time.monotonic() < deadline, f"the worker did not take the tasks: {all_statuses(hub)}"
                time.sleep(0.1)
        finally:
            queue.close()
        redis.pause()
        time.sleep(1)
        redis.resume()
        for r in hub.receivers.values():
            r.control(delay=0)
        back = time.monotonic()
        while all_statuses(hub) != {"delivered": 6}:  # the held deliveries finish; their tasks are acknowledged
            assert worker.proc.poll() is None, f"the worker ended:\n{worker.log.read_text(errors='replace')[-3000:]}"
            assert time.monotonic() - back < 20, f"held deliveries not done 20 s after Redis came back: " \
                f"{all_statuses(hub)}"
            time.sleep(0.2)
        time.sleep(0.5)
        sender, town = JukiSender(hub.url, "juki", hub.juki_password), SampleTown(seed=9, start_atena=100900001)
        for _ in range(4):  # and after it: other residents
            meta, ido = header("juki"), town.next_ido()
            sender.send(meta, ido)
            sent.append((meta["messageId"], ido["jumin"]["shikibetsu"]["atenaNo"]))
        while all_statuses(hub) != {"delivered": 3 * len(sent)}:
            assert worker.proc.poll() is None, f"the worker ended:\n{worker.log.read_text(errors='replace')[-3000:]}"
            assert time.monotonic() - back < 20, f"not delivered 20 s after Redis came back: {all_statuses(hub)}"
            time.sleep(0.2)
        for rid in hub.receivers:
            assert_received_once_in_order(hub, rid, sent)
    finally:
        worker.stop()  # fails the test if the worker ended by itself
        hub.stop()
        redis.stop()

"""RabbitMQ as the Celery broker: every message reaches every receiver once and in order, and
delivery goes on after the broker restarts (durable queue, persistent tasks) — also when the restart
comes while the worker is busy, which once left a worker connected but taking nothing (its prefetch
count was lowered on reconnect and raised again from its task threads; chipla/worker.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators.servers import RabbitServer
from tests.pg import ThrowawayPostgres
from tests.support import start_hub
from tests.test_celery_dispatch import Worker, all_delivered, assert_received_once_in_order, send, statuses

pytestmark = [pytest.mark.celery, pytest.mark.postgres]


@pytest.fixture(scope="module")
def rabbit() -> Iterator[RabbitServer]:
    server = RabbitServer().start()
    yield server
    server.stop()


def test_rabbitmq_delivers_everything_once_and_survives_a_restart_while_busy(
        rabbit: RabbitServer, postgres: ThrowawayPostgres, tmp_path: Path) -> None:
    hub = start_hub(postgres.new_database(), dispatcher="celery", broker_url=rabbit.url, lease_seconds=20,
                    retry_base=0.2, max_attempts=40)
    worker = Worker(hub.parts.settings, tmp_path / "worker.log", 4)
    try:
        deadline = time.monotonic() + 60
        while " ready." not in worker.log.read_text(errors="replace"):
            assert time.monotonic() < deadline, "the worker did not connect to RabbitMQ"
            time.sleep(0.2)
        sent = send(hub, 80)  # 240 deliveries: the worker's four threads are busy when the broker goes
        busy = time.monotonic() + 20
        while statuses(hub).get("delivered", 0) < 30:
            assert time.monotonic() < busy, f"the worker did not get going: {statuses(hub)}"
            time.sleep(0.05)
        # the worker is busy when the broker goes (checked as the stop begins: a graceful stop can take
        # longer than the rest of the deliveries on a loaded machine)
        assert not all_delivered(hub, 240), "everything was delivered before the broker went away"
        rabbit.pause()  # the worker and the relay lose their connections, deliveries still running
        time.sleep(1)  # (accepting while the broker is away: tests/test_scaled_faults.py)
        rabbit.resume()
        back = time.monotonic()
        while not all_delivered(hub, 240):
            # one worker and a lease of 20 s: a worker that stopped taking tasks cannot be covered for
            assert time.monotonic() - back < 20, f"not delivered 20 s after RabbitMQ came back: {statuses(hub)}"
            time.sleep(0.2)
        for rid in hub.receivers:
            assert_received_once_in_order(hub, rid, sent)
    finally:
        worker.stop()
        hub.stop()

"""A broker that is away does not stall delivery for a lease: the relay's failed publish releases
its claims at once, and the relay resumes within seconds of the broker coming back."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from broker.models import Delivery
from simulators.loopback import free_port
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from simulators.servers import RedisServer
from tests.pg import ThrowawayPostgres
from tests.support import start_hub
from tests.test_celery_dispatch import Worker

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

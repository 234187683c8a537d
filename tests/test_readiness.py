"""/readyz answers what /healthz does not: store reachable, broker reachable, delivery moving."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from broker.clock import now
from broker.models import Delivery
from simulators.loopback import free_port
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub, sqlite_url, start_hub


@pytest.fixture
def stopped_dispatch_hub(tmp_path: Path) -> Iterator[RunningHub]:
    """A hub that accepts but whose deliveries nobody carries out (as if its dispatcher had stopped)."""
    running = start_hub(sqlite_url(tmp_path), dispatcher="external", ready_stall_seconds=5.0)
    yield running
    running.stop()


def test_ready_with_no_work_and_metrics_show_the_backlog(stopped_dispatch_hub: RunningHub) -> None:
    hub = stopped_dispatch_hub
    r = httpx.get(f"{hub.url}/readyz")
    assert r.status_code == 200 and r.json()["checks"]["store"]["ok"]
    JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), SampleTown().tennyu())
    text = httpx.get(f"{hub.url}/metrics").text
    assert 'chipla_outbox_backlog{destination="zei",status="pending"} 1.0' in text
    assert 'chipla_outbox_oldest_undelivered_age_seconds{destination="zei"}' in text


def test_due_work_nobody_moves_makes_the_hub_unready(stopped_dispatch_hub: RunningHub) -> None:
    hub = stopped_dispatch_hub
    JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), SampleTown().tennyu())
    with hub.parts.store.write() as s:  # due for a minute, and no attempt ever finished
        s.execute(update(Delivery).values(next_attempt_at=now() - timedelta(minutes=1)))
    r = httpx.get(f"{hub.url}/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "not_ready" and "stalled" in body["checks"]["dispatcher"]["detail"]
    assert httpx.get(f"{hub.url}/healthz").status_code == 200  # alive all the same


def test_an_unreachable_broker_makes_the_hub_unready(tmp_path: Path) -> None:
    hub = start_hub(sqlite_url(tmp_path), dispatcher="celery", broker_url=f"redis://127.0.0.1:{free_port()}/0")
    try:
        r = httpx.get(f"{hub.url}/readyz", timeout=15)
        assert r.status_code == 503
        assert r.json()["checks"]["broker"]["ok"] is False and r.json()["checks"]["store"]["ok"] is True
    finally:
        hub.stop()


def test_operations_document_describes_what_the_hub_answers(stopped_dispatch_hub: RunningHub) -> None:
    """api_specs/operations.yaml: every documented path is served, and the answers fit its schemas."""
    import jsonschema
    import yaml

    import api_specs

    doc = yaml.safe_load(api_specs.path("operations.yaml").read_text(encoding="utf-8"))
    for path, item in doc["paths"].items():
        r = httpx.get(f"{stopped_dispatch_hub.url}{path}")
        documented = item["get"]["responses"]
        assert str(r.status_code) in documented, path
        schema = documented[str(r.status_code)]["content"].get("application/json", {}).get("schema")
        if schema is not None:
            jsonschema.validate(r.json(), {**schema, "components": doc["components"]})

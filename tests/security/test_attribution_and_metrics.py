"""A refusal after a valid API key is the caller's, not anonymous; /metrics is not open to anyone
who can reach the port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.requests import Request

from broker.models import AuditEntry, Quarantine
from chipla.app import metrics_allowed
from tests.support import RunningHub, sqlite_url, start_hub


def test_rest_refusal_after_a_valid_key_is_audited_as_that_system(hub: RunningHub) -> None:
    resp = httpx.post(f"{hub.url}/api/v1/jumin/ido", headers={"X-API-Key": hub.juki_key},
                      json={"meta": {"messageId": "not enough"}})
    assert resp.status_code == 400
    with hub.parts.store.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action.like("refused.%"))
                          .order_by(AuditEntry.seq.desc())).scalars().first()
        kept = s.execute(select(Quarantine).order_by(Quarantine.id.desc())).scalars().first()
    assert entry is not None and entry.actor == "juki"
    assert kept is not None and kept.sender == "juki"


def test_rest_refusal_with_a_wrong_key_stays_anonymous(hub: RunningHub) -> None:
    resp = httpx.post(f"{hub.url}/api/v1/jumin/ido", headers={"X-API-Key": "w" * 24}, json={})
    assert resp.status_code == 401
    with hub.parts.store.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action.like("refused.%"))
                          .order_by(AuditEntry.seq.desc())).scalars().first()
    assert entry is not None and entry.actor == "anonymous"


@pytest.fixture
def hub_with_metrics_token(tmp_path: Path) -> Iterator[RunningHub]:
    running = start_hub(sqlite_url(tmp_path), metrics_token="prom-" + "k" * 20)
    yield running
    running.stop()


def test_metrics_need_the_bearer_token_when_one_is_set(hub_with_metrics_token: RunningHub) -> None:
    url = f"{hub_with_metrics_token.url}/metrics"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = httpx.get(url, headers={"Authorization": "Bearer prom-" + "k" * 20})
    assert ok.status_code == 200 and "chipla_messages_refused_total" in ok.text


def test_metrics_without_a_token_answer_loopback_only(hub: RunningHub) -> None:
    assert httpx.get(f"{hub.url}/metrics").status_code == 200  # the test client is on loopback

    def request(host: str) -> Request:
        return Request({"type": "http", "method": "GET", "path": "/metrics", "headers": [], "client": (host, 5555)})

    assert metrics_allowed(request("127.0.0.1"), "") and metrics_allowed(request("::1"), "")
    assert not metrics_allowed(request("10.0.0.5"), "")
    assert not metrics_allowed(request("192.168.1.20"), "")

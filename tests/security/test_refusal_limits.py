"""Refusals cannot fill the disk: anonymous junk is sampled, not stored whole; an address refused too
often is turned away (2007); quarantine is bounded by age and size, and all of it is counted."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from lxml import etree
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from broker.clock import now
from broker.errors import SchemaInvalid
from broker.models import AuditEntry, Quarantine
from broker.refusals import RefusalLog, RefusalPolicy
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub, sqlite_url, start_hub


def _quarantine_bytes(hub: RunningHub) -> int:
    with hub.parts.store.read() as s:
        return int(s.execute(select(func.coalesce(func.sum(func.length(Quarantine.original)), 0))).scalar_one())


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_forty_anonymous_megabytes_leave_only_a_small_sample(hub: RunningHub) -> None:
    before_bytes = _quarantine_bytes(hub)
    not_kept = _metric("chipla_refusals_not_kept_total", channel="soap")
    with httpx.Client(timeout=30) as client:
        for _ in range(40):
            resp = client.post(f"{hub.url}/soap/jumin", content=os.urandom(1_000_000),
                               headers={"content-type": "text/xml"})
            assert resp.status_code == 500
    added = _quarantine_bytes(hub) - before_bytes
    policy = hub.parts.hub.refusals.policy
    assert added <= policy.anonymous_samples_per_minute * policy.anonymous_sample_bytes
    assert _metric("chipla_refusals_not_kept_total", channel="soap") - not_kept >= 40 - 5
    swept = hub.parts.hub.refusals.sweep()
    assert swept["notKept"] >= 35
    with hub.parts.store.read() as s:
        summary = s.execute(select(AuditEntry.detail).where(AuditEntry.action == "refused.not_kept")).scalars().all()
    assert summary and summary[-1]["count"] >= 35
    ok = JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), SampleTown().next_ido())
    assert ok["result"]["code"] == "0000"


def test_a_known_senders_refused_input_is_kept_whole(hub: RunningHub) -> None:
    ido = SampleTown(seed=3).next_ido()
    ido["jumin"]["zokusei"]["seibetsu"] = "X"
    for _ in range(10):  # more than the anonymous sample rate: every one is kept
        resp = httpx.post(f"{hub.url}/api/v1/jumin/ido", headers={"X-API-Key": hub.juki_key},
                          json={"meta": header("juki"), "ido": ido})
        assert resp.status_code in (400, 422)
    with hub.parts.store.read() as s:
        kept = s.execute(select(func.count()).select_from(Quarantine).where(Quarantine.sender == "juki")).scalar_one()
    assert kept == 10


@pytest.fixture
def strict_hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = start_hub(sqlite_url(tmp_path), refusals_per_minute=20)
    yield running
    running.stop()


def test_an_address_refused_too_often_is_turned_away_and_others_are_not(strict_hub: RunningHub) -> None:
    hub = strict_hub
    with httpx.Client(timeout=30) as client:
        for _ in range(20):
            assert client.post(f"{hub.url}/soap/jumin", content=b"junk").status_code == 500
        soap = client.post(f"{hub.url}/soap/jumin", content=b"junk")
        rest = client.post(f"{hub.url}/api/v1/jumin/ido", content=b"{}", headers={"content-type": "application/json"})
    code = etree.fromstring(soap.content).findtext(".//{urn:chipla:ns:common:1}code")
    assert code == "2007" and soap.headers["retry-after"] == "60"
    assert rest.status_code == 429 and rest.json()["code"] == "2007" and rest.headers["retry-after"] == "60"
    assert _metric("chipla_refusals_rate_limited_total", channel="soap") >= 1
    # another address is served as usual
    other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30)
    with other:
        resp = other.post(f"{hub.url}/api/v1/jumin/ido", headers={"X-API-Key": hub.juki_key},
                          json={"meta": header("juki"), "ido": SampleTown(seed=5).next_ido()})
    assert resp.status_code == 202, resp.text


def _refusal(log: RefusalLog, size: int) -> None:
    log.record(transport="rest", original=b"x" * size, headers={}, error=SchemaInvalid("bad"), sender="juki",
               client="127.0.0.1")


def test_retention_and_size_cap_remove_the_oldest_and_say_so(hub: RunningHub) -> None:
    store = hub.parts.store
    log = RefusalLog(store, RefusalPolicy(retention_days=90, max_bytes=1000))
    with store.write() as s:
        s.query(Quarantine).delete()
    _refusal(log, 300)
    with store.write() as s:  # one entry from long ago
        s.query(Quarantine).update({Quarantine.received_at: now() - timedelta(days=91)})
    for _ in range(5):
        _refusal(log, 300)
    result = log.sweep()
    assert result == {"expired": 1, "overSizeCap": 2, "notKept": 0}
    with store.read() as s:
        sizes = s.execute(select(func.length(Quarantine.original))).scalars().all()
        purged = s.execute(select(AuditEntry.detail).where(AuditEntry.action == "quarantine.purged")).scalars().all()
    assert sizes == [300, 300, 300]
    assert purged[-1]["expired"] == 1 and purged[-1]["overSizeCap"] == 2
    assert _metric("chipla_quarantine_bytes") == 900

"""The guarantees of the doors, for 個人住民税 too: the hostile-XML corpus at /soap/zei, amounts
generated with hypothesis through the REST door (accepted exactly when they agree, else 1013, never a
hub fault), the idempotent re-send, and per-employer order of deliveries."""

from __future__ import annotations

import copy
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broker.services.zei import getsugaku
from simulators import zei_samples
from simulators.zei_sender import ZeiSender
from tests.support import RunningHub, sqlite_url, start_hub
from tests.test_hostile_xml import CORPUS, fault_of

SOAP_EMPLOYER, DOWNLOADER, _ = zei_samples.EMPLOYERS
ZEI_BODY = ('<z:TsuchiIchiranShokaiRequest xmlns:z="urn:chipla:ns:zei:1"><z:nendo>2026</z:nendo>'
            '</z:TsuchiIchiranShokaiRequest>')


def _as_zei(payload: str | bytes) -> bytes:
    """The same hostile input, aimed at a 個人住民税 operation."""
    jumin = '<j:JuminShokaiRequest xmlns:j="urn:chipla:ns:jumin:1"><j:atenaNo>1</j:atenaNo></j:JuminShokaiRequest>'
    if isinstance(payload, bytes):
        return payload
    return payload.replace(jumin, ZEI_BODY).encode("utf-8")


@pytest.fixture(scope="module")
def shared_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """One hub for the whole corpus: each input is refused on its own, none changes the next one."""
    running = start_hub(sqlite_url(tmp_path_factory.mktemp("zei-doors")))
    yield running
    running.stop()


@pytest.mark.parametrize(("name", "payload", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_input_at_the_zei_door(shared_hub: RunningHub, name: str, payload: str | bytes,
                                       expected: str) -> None:
    resp = httpx.post(f"{shared_hub.url}/soap/zei", content=_as_zei(payload), timeout=30,
                      headers={"content-type": "text/xml; charset=utf-8",
                               "soapaction": "urn:chipla:zei:TsuchiIchiranShokai"})
    assert resp.status_code == 500
    code, faultcode = fault_of(resp)
    assert code == expected, name
    assert faultcode == "soap:Client" and b"root:" not in resp.content


def _rest(hub: RunningHub) -> httpx.Client:
    if "zei_sender_key" not in hub.extra:
        hub.extra["zei_sender_key"] = _sender_key(hub)
    key = hub.extra["zei_sender_key"]
    return httpx.Client(base_url=f"{hub.url}/api/v1", headers={"X-API-Key": key}, timeout=30)


def _sender_key(hub: RunningHub) -> str:
    """The 個人住民税 system gets an API key for the REST door (the sandbox gives it only SOAP)."""
    key = uuid.uuid4().hex
    reg = hub.parts.registry
    info = reg.system("zei")
    reg.upsert_system({"id": "zei", "name": info.name, "lgCode": info.lg_code, "apiKey": key,
                       "wssUsername": info.wss_username, "wssPassword": info.wss_secret,
                       "deliveryKind": info.delivery_kind, "endpointUrl": info.endpoint_url,
                       "allow": reg.acl_of("zei")})
    return key


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(annual=st.integers(min_value=0, max_value=5_000_000), month=st.integers(min_value=0, max_value=11),
       delta=st.integers(min_value=-1000, max_value=1000), kubun=st.sampled_from(["1", "2"]))
def test_amounts_are_accepted_exactly_when_they_agree(hub: RunningHub, annual: int, month: int, delta: int,
                                                      kubun: str) -> None:
    notice = zei_samples.tsuchi(DOWNLOADER, 2026, random.Random(annual), employees=1, kubun=kubun)
    person = notice["nozeiGimusha"][0]
    person.pop("shichosonminzei"), person.pop("kenminzei")
    person["nenzeigaku"], notice["gokeiGaku"] = annual, annual
    months = getsugaku.split(annual)
    months[month] = max(0, months[month] + delta)
    person["getsugaku"] = [{"tsuki": m, "gaku": g} for m, g in zip(getsugaku.COLLECTION_MONTHS, months, strict=True)]
    notice["tsuchiDate"] = "2026-12-31"  # never older than an earlier example's notice
    consistent = True
    try:
        getsugaku.check(copy.deepcopy(notice))
    except getsugaku.AmountInconsistent:
        consistent = False
    with _rest(hub) as api:
        resp = api.post("/zei/tsuchi", json={"meta": zei_samples.header("zei", DOWNLOADER.shitei_no),
                                             "tsuchi": notice})
    if consistent:
        assert resp.status_code == 202, resp.text
    else:
        assert resp.status_code == 422 and resp.json()["code"] == "1013", resp.text


def _wait(predicate: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_resend_is_idempotent_and_an_employers_notices_arrive_in_order(hub: RunningHub) -> None:
    r = hub.receivers["zei"]
    sender = ZeiSender(hub.url, r.username, r.password)
    inbox = hub.employers[SOAP_EMPLOYER.system_id or ""].inbox
    assert inbox is not None
    inbox.fail_next = 2  # the first attempts fail: retried
    receipts = []
    for k, day in enumerate(("05-15", "07-01", "09-01")):
        notice = zei_samples.tsuchi(SOAP_EMPLOYER, 2026, random.Random(k), kubun="1" if k == 0 else "2")
        notice["tsuchiDate"] = f"2026-{day}"
        meta = zei_samples.header("zei", SOAP_EMPLOYER.shitei_no)
        first = sender.send(meta, notice)
        again = sender.send({**meta, "sentAt": zei_samples.header("zei", "1")["sentAt"]}, notice)
        assert again["receiptId"] == first["receiptId"] and again["duplicate"] is True
        receipts.append(first["receiptId"])
    _wait(lambda: len(inbox.items) == 3)
    assert [i["receiptId"] for i in inbox.items] == receipts  # accept order, per 指定番号
    assert [i["tsuchiKubun"] for i in inbox.items] == ["1", "2", "2"]
    assert sum(inbox.seen.values()) == 3  # each 正本 kept once

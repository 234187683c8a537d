"""Routing and delivery end to end: every entitled receiver gets each change once, in order per
resident; a down receiver goes through retries to the dead letter channel and back; it never delays
the others; 個人番号 reaches only 番号利用事務 systems."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import func, select

from broker.models import Delivery, MappedRecord, Message
from simulators.loopback import free_port
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub, sqlite_url, start_hub
from tests.wait import inbox_holds, until


def _send(hub: RunningHub, n: int, town: SampleTown | None = None) -> list[dict]:
    town = town or SampleTown()
    sender = JukiSender(hub.url, "juki", hub.juki_password)
    return [sender.send(header("juki"), town.next_ido()) for _ in range(n)]


def _statuses(hub: RunningHub) -> dict[str, int]:
    with hub.parts.store.read() as s:
        return dict(s.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())


def test_each_change_reaches_every_subscriber_once(hub_any_db: RunningHub) -> None:
    hub = hub_any_db
    receipts = _send(hub, 12)
    for r in hub.receivers.values():
        until(inbox_holds(r.inbox, 12), what=f"12 items at {r.id}")
    until(lambda: _statuses(hub) == {"delivered": 36}, what="all delivered")
    for r in hub.receivers.values():
        assert sorted(x["correlationId"] for x in r.inbox.items) == sorted(
            x["correlationId"] for x in hub.receivers["zei"].inbox.items)
        assert all(n == 1 for n in r.inbox.seen.values())
    def stored_forms() -> list[MappedRecord]:  # made by the derive stage after the accept commit
        with hub.parts.store.read() as s:
            return list(s.execute(select(MappedRecord)).scalars().all())
    def all_forms_stored() -> list[MappedRecord]:  # empty (keep waiting) until every receipt has its form
        forms = stored_forms()
        return forms if len(forms) == len(receipts) else []

    mapped = until(all_forms_stored, what="derived forms")
    assert len(mapped) == len(receipts)
    assert all(m.mapping_id == "ido-imi" and m.mapping_version for m in mapped)
    assert all(m.output["@type"] == "活動型" and m.lineage for m in mapped)


def test_kojin_bango_only_to_bango_riyo_systems(hub: RunningHub) -> None:
    _send(hub, 3)
    for r in hub.receivers.values():
        until(inbox_holds(r.inbox, 3))
    assert all(x["hasKojinBango"] for x in hub.receivers["kokuho"].inbox.items)
    assert not any(x["hasKojinBango"] for x in hub.receivers["zei"].inbox.items)
    assert not any(x["hasKojinBango"] for x in hub.receivers["kaigo"].inbox.items)


def test_down_receiver_retries_then_dead_letter_then_retry_succeeds(hub: RunningHub) -> None:
    zei = hub.receivers["zei"]
    zei.control(down=True)
    _send(hub, 3)
    # the others are not held up by zei
    until(lambda: len(hub.receivers["kokuho"].inbox.items) == 3, what="kokuho delivered while zei is down")
    until(lambda: len(hub.receivers["kaigo"].inbox.items) == 3)
    dead = until(lambda: httpx.get(f"{hub.url}/api/v1/dead-letters", params={"destination": "zei"},
                                   headers={"X-API-Key": hub.admin_key}).json()["total"] == 3 or None,
                 what="3 dead letters for zei")
    assert dead
    page = httpx.get(f"{hub.url}/api/v1/dead-letters", headers={"X-API-Key": hub.admin_key}).json()
    assert {i["destination"] for i in page["items"]} == {"zei"}
    assert all(i["attempts"] == 4 for i in page["items"])
    assert zei.inbox.items == []
    # status shows every attempt
    status = httpx.get(f"{hub.url}/api/v1/messages/{page['items'][0]['receiptId']}",
                       headers={"X-API-Key": hub.admin_key}).json()
    zei_delivery = next(d for d in status["deliveries"] if d["destination"] == "zei")
    assert [a["outcome"] for a in zei_delivery["attemptLog"]] == ["failed", "failed", "failed", "dead"]
    zei.control(down=False)
    one = httpx.post(f"{hub.url}/api/v1/dead-letters/{page['items'][0]['deliveryId']}/retry",
                     headers={"X-API-Key": hub.admin_key})
    assert one.status_code == 202
    until(lambda: len(zei.inbox.items) == 1, what="one retried dead letter delivered")
    rest = httpx.post(f"{hub.url}/api/v1/dead-letters/retry", params={"destination": "zei"},
                      headers={"X-API-Key": hub.admin_key})
    assert rest.json() == {"retried": 2}
    until(lambda: len(zei.inbox.items) == 3, what="all retried dead letters delivered")
    until(lambda: _statuses(hub) == {"delivered": 9}, what="outbox all delivered")


def test_dead_letters_retried_from_the_cli(hub: RunningHub, tmp_path: Path) -> None:
    kaigo = hub.receivers["kaigo"]
    kaigo.control(down=True)
    _send(hub, 2)
    until(lambda: _statuses(hub).get("dead") == 2, what="2 dead letters")
    kaigo.control(down=False)
    env = {"CHIPLA_DB_URL": hub.parts.settings.db_url, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "chipla.cli", "deadletters", "retry-all", "kaigo"],
                         capture_output=True, text=True, env=env, check=True)
    assert "2 dead letters to kaigo queued again" in out.stdout
    until(lambda: len(kaigo.inbox.items) == 2, what="CLI-retried dead letters delivered")


def test_transient_failures_are_retried_with_backoff(hub: RunningHub) -> None:
    zei = hub.receivers["zei"]
    zei.control(fail=2)
    _send(hub, 1)
    until(lambda: len(zei.inbox.items) == 1, what="delivered after two failures")
    with hub.parts.store.read() as s:
        attempts = s.execute(select(Delivery.attempts).where(Delivery.destination == "zei")).scalar_one()
    assert attempts == 3


def test_changes_of_one_resident_arrive_in_accept_order(hub_any_db: RunningHub) -> None:
    """Many senders at once, many changes per resident; per resident, every receiver sees accept order."""
    hub = hub_any_db
    hub.receivers["zei"].control(fail=5)  # failures in the middle must not reorder anything
    town = SampleTown(seed=7)
    people = [town.record(town._person(), "10", date(2026, 7, 1)) for _ in range(6)]
    jobs = []
    for round_no in range(5):
        for p in people:
            jumin = {**p, "shimei": {**p["shimei"], "tsushou": f"r{round_no}"}}
            jobs.append({"idoJiyu": "31", "idoDate": "2026-07-01", "jumin": jumin})

    def send(ido: dict) -> dict:
        return JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), ido)

    with ThreadPoolExecutor(8) as pool:
        receipts = list(pool.map(send, jobs))
    assert len({r["receiptId"] for r in receipts}) == len(jobs)
    total = len(jobs)
    for r in hub.receivers.values():
        until(inbox_holds(r.inbox, total), timeout=60, what=f"{total} at {r.id}")
    with hub.parts.store.read() as s:
        order = {m.receipt_id: m.seq for m in s.execute(select(Message.receipt_id, Message.seq))}
    for r in hub.receivers.values():
        by_person: dict[str, list[int]] = {}
        for item in r.inbox.items:
            by_person.setdefault(item["atenaNo"], []).append(order[item["messageId"]])
        for atena, seqs in by_person.items():
            assert seqs == sorted(seqs), f"{r.id}: {atena} out of order"


def test_external_dispatcher_leaves_delivery_to_another_process(tmp_path: Path) -> None:
    """With CHIPLA_DISPATCHER=external the serving process only accepts; `chipla dispatch` delivers."""
    hub = start_hub(sqlite_url(tmp_path), dispatcher="external")
    try:
        _send(hub, 3)
        with hub.parts.store.read() as s:
            assert s.execute(select(func.count()).select_from(Delivery)).scalar_one() == 9
        assert all(r.inbox.items == [] for r in hub.receivers.values())
        env = {**os.environ, "CHIPLA_DB_URL": hub.parts.settings.db_url, "CHIPLA_DISPATCHER": "external"}
        proc = subprocess.Popen([sys.executable, "-m", "chipla.cli", "dispatch"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            until(lambda: _statuses(hub) == {"delivered": 9}, timeout=60, what="delivered by chipla dispatch")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        assert all(len(r.inbox.items) == 3 for r in hub.receivers.values())
    finally:
        hub.stop()


def _children(pid: int) -> list[str]:
    """Command lines of the live child processes of ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    found.append(f.read().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def test_serve_with_workers_runs_one_dispatch_process_that_delivers_and_derives(tmp_path: Path) -> None:
    """`chipla serve --workers 2`: two accepting workers and exactly one `chipla dispatch` beside them,
    which delivers and makes the mapped forms; it ends with the server."""
    hub = start_hub(sqlite_url(tmp_path), dispatcher="external")  # receivers and registry; accepts only
    port = free_port()
    env = {**os.environ, "CHIPLA_DB_URL": hub.parts.settings.db_url, "CHIPLA_MQTT_URL": "off",
           "CHIPLA_DISPATCHER": "inline", "CHIPLA_RETRY_BASE_SECONDS": "0.05"}
    serve = subprocess.Popen([sys.executable, "-m", "chipla.cli", "serve", "--port", str(port), "--workers", "2"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(lambda: _up(f"http://127.0.0.1:{port}/healthz"), timeout=90, what="chipla serve --workers 2")
        dispatchers = [c for c in _children(serve.pid) if "chipla.cli dispatch" in c]
        assert len(dispatchers) == 1, _children(serve.pid)
        town = SampleTown(seed=11)
        sender = JukiSender(f"http://127.0.0.1:{port}", "juki", hub.juki_password)
        for _ in range(4):
            assert sender.send(header("juki"), town.next_ido())["result"]["code"] == "0000"
        until(lambda: _statuses(hub) == {"delivered": 12}, timeout=60, what="delivered by the dispatch process")
        def forms() -> int:
            with hub.parts.store.read() as s:
                return int(s.execute(select(func.count()).select_from(MappedRecord)).scalar_one())
        until(lambda: forms() == 4, what="mapped forms made by the dispatch process")
        assert all(len(r.inbox.items) == 4 for r in hub.receivers.values())
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        hub.stop()
    until(lambda: not [c for c in _children(serve.pid) if "dispatch" in c], what="dispatch process gone")


def _up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False

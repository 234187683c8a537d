"""The durable core on both stores: one transaction per accept group, idempotent consumer, outbox
claims in order per subject, retry policy and dead letters, and the audit chain."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from broker import audit
from broker.clock import now
from broker.dispatch.base import Deliverer
from broker.envelope import Envelope, Header
from broker.errors import DuplicateConflict, NotAllowed, Stale
from broker.hub import Hub
from broker.models import AuditEntry, Delivery, Message, Nonce
from broker.outbound import FakeOutbound
from broker.outbox import Outbox
from broker.registry import SystemRegistry
from broker.retry import RetryPolicy
from broker.services.jumin.projection import ResidentVersion
from broker.store import Store
from chipla.services import catalog
from simulators.samples import SampleTown, header

SERVICES = catalog()


@pytest.fixture
def core(db_url: str):  # type: ignore[no-untyped-def]
    store = Store(db_url)
    store.migrate()
    registry = SystemRegistry(store, ttl=0)
    registry.upsert_system({"id": "juki", "lgCode": "243035", "allow": ["jumin/IdoTsuchi"]})
    for rid, bango in (("zei", False), ("kokuho", True)):
        registry.upsert_system({"id": rid, "lgCode": "243035", "deliveryKind": "fake", "bangoRiyo": bango})
        registry.add_subscription(rid, "jumin", "IdoTsuchi")
    hub = Hub(store, registry, SERVICES)
    yield store, registry, hub
    hub.stop()
    store.dispose()


def _env(ido: dict, message_id: str | None = None) -> Envelope:
    return Envelope(Header.from_wire(header("juki", message_id=message_id)), {"ido": ido}, b"<original/>",
                    "text/xml", "soap")


def test_accept_writes_message_outbox_projection_and_audit(core) -> None:  # type: ignore[no-untyped-def]
    store, registry, hub = core
    receipt = hub.accept(_env(SampleTown().tennyu()), registry.system("juki"))
    assert receipt.destinations == ("zei", "kokuho") or set(receipt.destinations) == {"zei", "kokuho"}
    with store.read() as s:
        msg = s.execute(select(Message)).scalar_one()
        assert msg.original == b"<original/>" and msg.receipt_id == receipt.receipt_id
        assert s.execute(select(func.count()).select_from(Delivery)).scalar_one() == 2
        assert s.execute(select(func.count()).select_from(ResidentVersion)).scalar_one() == 1
        assert audit.verify(s).ok


def test_resend_returns_first_receipt_and_no_new_deliveries(core) -> None:  # type: ignore[no-untyped-def]
    store, registry, hub = core
    ido = SampleTown().tennyu()
    first = hub.accept(_env(ido, "11111111-1111-4111-8111-111111111111"), registry.system("juki"))
    again = hub.accept(_env(ido, "11111111-1111-4111-8111-111111111111"), registry.system("juki"))
    assert again.duplicate and again.receipt_id == first.receipt_id
    with pytest.raises(DuplicateConflict):
        hub.accept(_env(SampleTown(seed=9).tennyu(), "11111111-1111-4111-8111-111111111111"),
                   registry.system("juki"))
    with store.read() as s:
        assert s.execute(select(func.count()).select_from(Delivery)).scalar_one() == 2


def test_a_group_with_duplicates_replays_and_stale_changes(core) -> None:  # type: ignore[no-untyped-def]
    """Everything in one group commit: each item gets its own answer."""
    store, registry, hub = core
    caller = registry.system("juki")
    town = SampleTown()
    a, b = town.tennyu(), town.tennyu()
    older = {**a, "idoDate": "2000-01-01"}
    mid = "22222222-2222-4222-8222-222222222222"
    futures = [hub.submit(_env(a, mid), caller, ("juki", "n1")),
               hub.submit(_env(a, mid), caller, ("juki", "n2")),
               hub.submit(_env(b), caller, ("juki", "n1")),
               hub.submit(_env(older), caller, ("juki", "n3"))]
    first = futures[0].result(10)
    assert futures[1].result(10).receipt_id == first.receipt_id
    with pytest.raises(NotAllowed) as replay:
        futures[2].result(10)
    assert replay.value.result.code == "2003"
    with pytest.raises(Stale):
        futures[3].result(10)


def test_outbox_claims_one_per_subject_in_order_and_dead_letters(core) -> None:  # type: ignore[no-untyped-def]
    store, registry, hub = core
    caller = registry.system("juki")
    town = SampleTown()
    person = town.tennyu()
    for n in range(3):
        hub.accept(_env({**person, "idoJiyu": "30", "idoDate": f"2026-05-0{n + 1}"}), caller)
    other = hub.accept(_env(town.tennyu()), caller)
    outbox = Outbox(store, RetryPolicy(base_seconds=0.001, max_attempts=2))
    claimed = outbox.claim("zei", "t1")
    assert len(claimed) == 2  # the first change of `person` and the other resident, not the later ones
    assert {c.receipt_id for c in claimed} >= {other.receipt_id}
    fake = FakeOutbound(fail_next=10)
    deliverer = Deliverer(registry, {"fake": fake}, SERVICES)
    outbox.record([deliverer.deliver(c) for c in claimed])
    with store.write() as s:  # make the retries due now
        s.execute(update(Delivery).values(next_attempt_at=Delivery.created_at))
    again = outbox.claim("zei", "t1")
    outbox.record([deliverer.deliver(c) for c in again])
    with store.read() as s:
        dead = s.execute(select(func.count()).select_from(Delivery).where(
            Delivery.destination == "zei", Delivery.status == "dead")).scalar_one()
    assert dead == 2  # max_attempts reached; the next change of `person` is released
    nxt = outbox.claim("zei", "t1")
    assert [c.canonical["ido"]["idoDate"] for c in nxt] == ["2026-05-02"]


def test_redaction_per_destination(core) -> None:  # type: ignore[no-untyped-def]
    store, registry, hub = core
    hub.accept(_env(SampleTown().tennyu()), registry.system("juki"))
    fake = FakeOutbound()
    deliverer = Deliverer(registry, {"fake": fake}, SERVICES)
    outbox = Outbox(store, RetryPolicy())
    for dest in ("zei", "kokuho"):
        outbox.record([deliverer.deliver(c) for c in outbox.claim(dest, "t")])
    by_dest = {m.destination.id: m for m in fake.delivered}
    assert "kojinBango" not in by_dest["zei"].body["ido"]["jumin"]["shikibetsu"]
    assert by_dest["zei"].removed_fields == ("ido.jumin.shikibetsu.kojinBango",)
    assert "kojinBango" in by_dest["kokuho"].body["ido"]["jumin"]["shikibetsu"]


def test_audit_verify_cli_detects_an_edited_row(core, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, registry, hub = core
    for _ in range(3):
        hub.accept(_env(SampleTown().tennyu()), registry.system("juki"))
    env = {**os.environ, "CHIPLA_DB_URL": db_url}
    ok = subprocess.run([sys.executable, "-m", "chipla.cli", "audit", "verify"], env=env, capture_output=True,
                        text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout
    with store.write() as s:
        second = s.execute(select(AuditEntry.seq).order_by(AuditEntry.seq).offset(1).limit(1)).scalar_one()
        s.execute(update(AuditEntry).where(AuditEntry.seq == second).values(actor="someone-else"))
    bad = subprocess.run([sys.executable, "-m", "chipla.cli", "audit", "verify"], env=env, capture_output=True,
                         text=True)
    assert bad.returncode == 1
    assert f"entry {second}" in bad.stdout


def test_expired_nonces_are_purged_by_the_writer(core) -> None:  # type: ignore[no-untyped-def]
    """The replay cache does not grow without bound: rows past the freshness window go."""
    store, registry, hub = core
    with store.write() as s:
        s.add(Nonce(username="juki", nonce="old", expires_at=now() - timedelta(minutes=1)))
    hub.accept(_env(SampleTown().tennyu()), registry.system("juki"), ("juki", "fresh"))
    with store.read() as s:
        left = set(s.execute(select(Nonce.nonce)).scalars())
    assert left == {"fresh"}

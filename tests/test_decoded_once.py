"""A message is decoded once for all its destinations: the second destination's claim gets the very
objects the first one decoded, and the mapped form the derive stage made, without reading either
again; redaction for one destination never touches what another receives; a kept entry of another
message under the same seq is never used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from broker.decoded import Decoded, DecodedMessages
from broker.dispatch.base import Deliverer
from broker.dispatch.batch import deliver_and_record
from broker.envelope import Envelope, Header
from broker.hub import Hub
from broker.models import MappedRecord, Message
from broker.outbound import FakeOutbound
from broker.outbox import Outbox
from broker.registry import SystemRegistry
from broker.retry import RetryPolicy
from broker.store import Store
from chipla.services import catalog
from simulators.samples import SampleTown, header

MESSAGES = 6


@pytest.fixture
def accepted(tmp_path: Path) -> Iterator[tuple[Store, SystemRegistry, Outbox]]:
    """Messages accepted and derived by a hub whose derive stage shares the outbox's decoded messages."""
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    store.migrate()
    registry = SystemRegistry(store, ttl=0)
    registry.upsert_system({"id": "juki", "lgCode": "243035", "allow": ["jumin/IdoTsuchi"]})
    for rid, bango in (("zei", False), ("kokuho", True)):
        registry.upsert_system({"id": rid, "lgCode": "243035", "deliveryKind": "fake", "bangoRiyo": bango})
        registry.add_subscription(rid, "jumin", "IdoTsuchi")
    hub = Hub(store, registry, catalog())
    outbox = Outbox(store, RetryPolicy())
    hub.deriver.decoded = outbox.decoded
    town = SampleTown()
    caller = registry.system("juki")
    for f in [hub.submit(Envelope(Header.from_wire(header("juki")), {"ido": town.tennyu()}, b"<x/>", "text/xml",
                                  "soap"), caller) for _ in range(MESSAGES)]:
        f.result(30)
    hub.stop()  # the derive stage has made (and kept) every mapped form when this returns
    yield store, registry, outbox
    store.dispose()


def _statements(store: Store) -> list[str]:
    seen: list[str] = []
    for engine in {store.engine, store.read_engine}:
        event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: seen.append(sql))
    return seen


def _stored(store: Store) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    with store.read() as s:
        mapped: dict[int, Any] = dict(s.execute(select(MappedRecord.message_seq, MappedRecord.output)).all())
        return {seq: (canonical, mapped[seq]) for seq, canonical in
                s.execute(select(Message.seq, Message.canonical)).all()}


def test_every_destination_gets_the_message_decoded_once(accepted: tuple[Store, SystemRegistry, Outbox]) -> None:
    store, _, outbox = accepted
    seen = _statements(store)
    zei = outbox.claim("zei", "w-1")
    kokuho = outbox.claim("kokuho", "w-2")
    assert len(zei) == len(kokuho) == MESSAGES
    for a, b in zip(zei, kokuho, strict=True):
        assert a.receipt_id == b.receipt_id
        assert a.canonical is b.canonical and a.envelope is b.envelope and a.mapped is b.mapped
    # the derive stage decoded the bodies and made the mapped forms: no claim read either again
    assert not [sql for sql in seen if "canonical" in sql or "mapped_records" in sql]
    stored = _stored(store)
    assert [(c.canonical, c.mapped) for c in zei] == [stored[seq] for seq in sorted(stored)]


def test_a_process_that_decoded_nothing_reads_each_message_once(
        accepted: tuple[Store, SystemRegistry, Outbox]) -> None:
    store = accepted[0]
    outbox = Outbox(store, RetryPolicy())  # another process: nothing kept yet
    seen = _statements(store)
    zei = outbox.claim("zei", "w-1")
    kokuho = outbox.claim("kokuho", "w-2")
    assert [sql for sql in seen if "canonical" in sql] and len([s for s in seen if "mapped_records" in s]) == 1
    assert all(a.canonical is b.canonical and a.mapped is b.mapped for a, b in zip(zei, kokuho, strict=True))
    stored = _stored(store)
    assert [(c.canonical, c.mapped) for c in kokuho] == [stored[seq] for seq in sorted(stored)]


def test_redaction_for_one_destination_leaves_the_others_body_whole(
        accepted: tuple[Store, SystemRegistry, Outbox]) -> None:
    store, registry, outbox = accepted
    fake = FakeOutbound()
    deliverer = Deliverer(registry, {"fake": fake}, catalog())
    for destination in ("zei", "kokuho", "zei"):
        for c in outbox.claim(destination, f"w-{destination}"):
            assert deliverer.deliver(c).ok
        outbox.release_all_leases()
    bango = [m.body["ido"]["jumin"]["shikibetsu"].get("kojinBango") for m in fake.delivered]
    assert all(b is None for b in bango[:MESSAGES] + bango[2 * MESSAGES:])  # zei, before and after kokuho
    assert all(b for b in bango[MESSAGES:2 * MESSAGES])  # kokuho (番号利用事務) gets the 個人番号
    kept = outbox.claim("zei", "w-again")
    assert all(c.canonical["ido"]["jumin"]["shikibetsu"]["kojinBango"] for c in kept)


def test_a_batch_reads_the_stored_mapped_forms_only_for_the_deliveries_that_send_them(
        accepted: tuple[Store, SystemRegistry, Outbox]) -> None:
    store, registry, _ = accepted
    outbox = Outbox(store, RetryPolicy())  # another process: nothing kept yet
    fake = FakeOutbound()
    deliverer = Deliverer(registry, {"fake": fake}, catalog())
    seen = _statements(store)
    with ThreadPoolExecutor(2) as pool:
        # zei's bodies lose the 個人番号, which the IMI mapping never reads: the stored forms are read once
        deliver_and_record(outbox, deliverer, outbox.claim("zei", "w-1", with_mapped=False), pool)
        assert len([sql for sql in seen if "mapped_records" in sql]) == 1
        deliver_and_record(outbox, deliverer, outbox.claim("kokuho", "w-2", with_mapped=False), pool)
        assert len([sql for sql in seen if "mapped_records" in sql]) == 1  # kept from zei's batch
    stored = _stored(store)
    zei, kokuho = fake.delivered[:MESSAGES], fake.delivered[MESSAGES:]
    assert [m.mapped for m in kokuho] == [stored[seq][1] for seq in sorted(stored)]
    for m, full in zip(zei, kokuho, strict=True):  # zei's form is the form of its redacted body
        bango = full.body["ido"]["jumin"]["shikibetsu"]["kojinBango"]
        assert m.removed_fields and m.mapped is not None and bango not in json.dumps(m.mapped)
        assert m.mapped == catalog().get("jumin").remap(m.body)  # type: ignore[union-attr]


def test_a_kept_entry_of_another_message_is_never_used(accepted: tuple[Store, SystemRegistry, Outbox]) -> None:
    store, _, outbox = accepted
    stored = _stored(store)
    first = min(stored)
    outbox.decoded.put(first, Decoded("another-receipt", {"header": {}}, {"ido": "not this one"}, {"x": 1}))
    claimed = outbox.claim("zei", "w-1")
    assert (claimed[0].canonical, claimed[0].mapped) == stored[first]


def test_the_oldest_entries_go_first_and_a_kept_mapped_form_stays() -> None:
    kept = DecodedMessages(size=2)
    kept.put(1, Decoded("r-1", {}, {"n": 1}))
    kept.put_mapped(1, "r-1", {"m": 1})
    kept.put_mapped(2, "r-2", {"m": 2})  # not kept: nothing to add it to
    assert kept.get(2, "r-2") is None
    again = kept.put(1, Decoded("r-1", {}, {"n": 1}))  # a claim decoded it again, without a mapped form
    assert again.mapped == {"m": 1}
    kept.put(2, Decoded("r-2", {}, {"n": 2}))
    kept.put(3, Decoded("r-3", {}, {"n": 3}))
    assert kept.get(1, "r-1") is None and kept.get(3, "r-3") is not None and len(kept) == 2
    assert kept.get(3, "r-other") is None

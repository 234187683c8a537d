"""The derive stage: mapped forms are made after the accept commit from the stored original, once each,
after a crash too, and a reader that needs them (message status) catches up to the message it shows.

Messages here are stored by an accept writer with no derive stage attached, which is exactly what the
store holds when a process dies between the accept commit and the derivation."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from broker import messages
from broker.accept import AcceptWriter, Derived, Receipt
from broker.derive import Deriver
from broker.envelope import Envelope, Header
from broker.models import MappedRecord, Message, table_of
from broker.services.jumin.projection import ResidentVersion
from broker.store import Store
from chipla.services import catalog
from simulators.samples import SampleTown, header

SERVICES = catalog()
JUMIN = SERVICES["jumin"]


def _store_underived(store: Store, n: int, seed: int = 1, first_atena: int = 100000001) -> list[Receipt]:
    """Accept ``n`` 異動 the way the hub does, with nothing after the commit (as if it then died)."""
    writer = AcceptWriter(store)
    town = SampleTown(seed=seed, start_atena=first_atena)
    receipts = []
    try:
        for _ in range(n):
            ido = town.next_ido()
            env = Envelope(Header.from_wire(header("juki")), {"ido": ido}, b"<original/>", "text/xml", "soap")
            derived = Derived(subject_key=JUMIN.subject_key(env.body), destinations=[], rules=JUMIN.rules,
                              facts=JUMIN.rule_facts(env.header, env.body))
            receipts.append(writer.accept(env, derived))
    finally:
        writer.stop()
    return receipts


def _mapped_per_message(store: Store) -> dict[int, int]:
    with store.read() as s:
        return dict(s.execute(select(MappedRecord.message_seq, func.count()).group_by(MappedRecord.message_seq)).all())


def test_the_ack_needs_no_mapping_but_the_projection_is_there_at_once(store: Store) -> None:
    receipts = _store_underived(store, 5)
    assert _mapped_per_message(store) == {}
    with store.read() as s:  # a 照会 reads the projection, written in the accept transaction itself
        assert s.execute(select(func.count()).select_from(ResidentVersion)).scalar_one() == 5
        assert s.execute(select(func.count()).select_from(Message)).scalar_one() == len(receipts)


def test_status_catches_up_to_the_message_it_shows(store: Store) -> None:
    receipts = _store_underived(store, 4)
    deriver = Deriver(store, SERVICES)  # not started: only the reader's catch-up runs
    without = messages.status(store, receipts[2].receipt_id)
    assert without["mapped"] == []
    shown = messages.status(store, receipts[2].receipt_id, deriver.catch_up)
    assert [m["mappingId"] for m in shown["mapped"]] == ["ido-imi"]
    assert shown["mapped"][0]["output"]["@type"] == "活動型" and shown["mapped"][0]["lineage"]
    derived = _mapped_per_message(store)
    assert set(derived) == {r.seq for r in receipts[:3]}, "everything up to the message, nothing later needed"


def test_a_crash_before_derivation_is_made_good_by_the_next_sweep_once(store: Store) -> None:
    receipts = _store_underived(store, 7)
    deriver = Deriver(store, SERVICES, batch_size=3)
    deriver.start()  # a fresh process: its first sweep finds what the dead one left
    try:
        deadline = threading.Event()
        for _ in range(400):
            if len(_mapped_per_message(store)) == 7:
                break
            deadline.wait(0.05)
    finally:
        deriver.stop()
    assert _mapped_per_message(store) == {r.seq: 1 for r in receipts}
    again = Deriver(store, SERVICES)
    assert again.derive_batch() == 0  # idempotent: nothing is derived twice
    assert _mapped_per_message(store) == {r.seq: 1 for r in receipts}


def test_derivers_in_several_processes_make_each_form_once(store: Store) -> None:
    receipts = _store_underived(store, 30, seed=5)
    derivers = [Deriver(store, SERVICES, batch_size=4) for _ in range(3)]
    seqs = [r.seq for r in receipts]
    start = threading.Barrier(len(derivers))

    def work(d: Deriver) -> None:
        start.wait()
        d.committed(seqs)  # every one of them is handed the same messages
        d.stop()

    threads = [threading.Thread(target=work, args=(d,)) for d in derivers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert _mapped_per_message(store) == {seq: 1 for seq in seqs}


def test_a_lower_seq_committed_late_is_still_derived(store: Store) -> None:
    """PostgreSQL hands out seqs before commit: a transaction holding a lower seq may commit after
    sweeps have seen (and derived) higher ones. The sweep must still find it."""
    if store.is_sqlite:
        pytest.skip("SQLite has one writer at a time: seqs commit in order")
    first = _store_underived(store, 1, seed=21)[0]
    with store.read() as s:
        row = dict(s.execute(select(table_of(Message)).where(Message.seq == first.seq)).mappings().one())
    late = store.engine.connect()
    held = late.begin()
    row.pop("seq")
    row.update(receipt_id="late-" + row["receipt_id"][5:], message_id="late-" + row["message_id"][5:])
    messages_table = table_of(Message)
    late_seq = late.execute(messages_table.insert().returning(messages_table.c.seq), row).scalar_one()
    try:
        later = _store_underived(store, 2, seed=22, first_atena=300000001)  # higher seqs, committed first
        deriver = Deriver(store, SERVICES)
        for _ in range(4):  # sweeps that find nothing new may raise the floor
            deriver.derive_batch()
        assert {r.seq for r in later} <= set(_mapped_per_message(store))
        held.commit()
    finally:
        late.close()
    assert late_seq < later[0].seq
    while deriver.derive_batch():
        pass
    assert late_seq in _mapped_per_message(store)

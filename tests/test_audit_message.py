"""One audit entry per accept group and per group of delivery outcomes, and one message verified
against them: altering its stored original, its digest inside the group entry, an attempt's part,
or deleting the group entry is found for that message — and older per-message entries still verify."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from adapters.inbound.console import detail
from broker import audit
from broker.accept import Derived, Pending, content_digest, write_group
from broker.audit_message import verify_message
from broker.clock import now
from broker.envelope import Envelope, Header
from broker.models import AuditEntry, Delivery, DeliveryAttempt, Message, table_of
from broker.outbox import Outbox, Outcome
from broker.retry import RetryPolicy
from broker.store import Store
from simulators.samples import SampleTown, header
from tests.support import sqlite_url

DESTINATIONS = ["zei", "kokuho"]


def _pending(n: int) -> list[Pending]:
    town = SampleTown()
    out = []
    for _ in range(n):
        env = Envelope(Header.from_wire(header("juki")), {"ido": town.tennyu()},
                       f"<original n='{os.urandom(4).hex()}'/>".encode(), "text/xml", "soap")
        subject = env.header.message_id[:64]  # one resident each: their deliveries are claimable together
        out.append(Pending(env, Derived(subject, list(DESTINATIONS)), Future(), content_digest(env)))
    return out


def _accept_group(store: Store, n: int) -> list[str]:
    receipts = write_group(store, _pending(n))
    return [r.receipt_id for r in receipts if not isinstance(r, Exception)]


def _deliver(store: Store, destination: str = "zei", ok: bool = True) -> None:
    outbox = Outbox(store, RetryPolicy())
    claimed = outbox.claim(destination, "t", limit=500)
    outbox.record([Outcome(c.delivery_id, ok, "" if ok else "503", owner="t") for c in claimed])


def _verdict(store: Store, receipt_id: str):  # type: ignore[no-untyped-def]
    with store.read() as s:
        return verify_message(s, receipt_id)


def _group_entry(store: Store, receipt_id: str) -> AuditEntry:
    with store.read() as s:
        seq = s.execute(select(Message.audit_seq).where(Message.receipt_id == receipt_id)).scalar_one()
        entry = s.get(AuditEntry, seq)
        assert entry is not None
        s.expunge(entry)
        return entry


def test_one_entry_per_group_and_each_message_verifies(store: Store) -> None:
    receipts = _accept_group(store, 5)
    _deliver(store, "zei")
    _deliver(store, "kokuho", ok=False)
    with store.read() as s:
        actions = list(s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())
        assert actions == [audit.MESSAGES_ACCEPTED, audit.DELIVERIES_RECORDED, audit.DELIVERIES_RECORDED]
        group = s.execute(select(AuditEntry).where(AuditEntry.action == audit.MESSAGES_ACCEPTED)).scalar_one()
        assert [p["receiptId"] for p in group.detail["messages"]] == receipts
        stored = dict(s.execute(select(Message.receipt_id, Message.original_sha256)).tuples().all())
        assert {p["receiptId"]: p["sha256"] for p in group.detail["messages"]} == stored
        assert set(s.execute(select(Message.audit_seq)).scalars()) == {group.seq}
        recorded = s.execute(select(AuditEntry).where(AuditEntry.action == audit.DELIVERIES_RECORDED)
                             .order_by(AuditEntry.seq)).scalars().all()
        assert [len(e.detail["deliveries"]) for e in recorded] == [5, 5]
        assert {p["outcome"] for p in recorded[1].detail["deliveries"]} == {"failed"}
        assert set(s.execute(select(DeliveryAttempt.audit_seq)).scalars()) == {e.seq for e in recorded}
        assert audit.verify(s).ok
    for receipt in receipts:
        verdict = _verdict(store, receipt)
        assert verdict is not None and verdict.ok, verdict.problems
        assert verdict.attempts == 2 and len(verdict.entries) == 3


def test_an_altered_original_is_found_for_that_message_only(store: Store) -> None:
    first, second, third = _accept_group(store, 3)
    with store.write() as s:
        s.execute(update(Message).where(Message.receipt_id == second).values(
            original=b"<forged/>", original_sha256=hashlib.sha256(b"<forged/>").hexdigest()))
    verdict = _verdict(store, second)
    assert verdict is not None and not verdict.ok
    assert "stored original hashes to" in verdict.problems[0]
    assert _verdict(store, first).ok and _verdict(store, third).ok  # type: ignore[union-attr]


@pytest.mark.parametrize("rehash", [False, True], ids=["as-is", "hash-recomputed"])
def test_an_altered_digest_in_the_group_entry_is_found(store: Store, rehash: bool) -> None:
    receipts = _accept_group(store, 3)
    _accept_group(store, 2)  # a later entry in the same stream, whose link covers the altered one
    entry = _group_entry(store, receipts[1])
    parts = [dict(p) for p in entry.detail["messages"]]
    parts[1]["sha256"] = "0" * 64
    _rewrite(store, entry, {"messages": parts}, rehash)
    verdict = _verdict(store, receipts[1])
    assert verdict is not None and not verdict.ok
    assert any(f"accept entry {entry.seq} lists {'0' * 64}" in p for p in verdict.problems)
    # the entry's own hash (as-is), or the link after it (hash recomputed; on PostgreSQL the later group
    # may have gone to another stream, and then the stream's head no longer ends at it)
    assert any(p.startswith("audit chain broken at entry") or "does not end at entry" in p for p in verdict.problems)


def _rewrite(store: Store, entry: AuditEntry, detail_: dict[str, Any], rehash: bool) -> None:
    """Change an entry's detail; with ``rehash`` also its hash, as someone covering the change would."""
    values: dict[str, Any] = {"detail": detail_}
    if rehash:
        entry.detail = detail_
        values["hash"] = audit.hash_of(entry, entry.prev_hash)
    with store.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == entry.seq).values(**values))


def test_a_deleted_group_entry_is_found_for_each_of_its_messages(store: Store) -> None:
    receipts = _accept_group(store, 3)
    entry = _group_entry(store, receipts[0])
    with store.write() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == entry.seq))
    for receipt in receipts:
        verdict = _verdict(store, receipt)
        assert verdict is not None and not verdict.ok
        assert verdict.problems[0] == f"its accept entry {entry.seq} is missing from the audit log (deleted)"


def test_an_attempt_left_out_of_its_outcome_entry_is_found(store: Store) -> None:
    receipts = _accept_group(store, 2)
    _deliver(store, "zei")
    with store.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == audit.DELIVERIES_RECORDED)).scalar_one()
        s.expunge(entry)
        first_delivery = s.execute(select(Delivery.id).join(Message, Message.seq == Delivery.message_seq).where(
            Message.receipt_id == receipts[0], Delivery.destination == "zei")).scalar_one()
    kept = [p for p in entry.detail["deliveries"] if p["id"] != first_delivery]
    _rewrite(store, entry, {"deliveries": kept}, rehash=True)
    verdict = _verdict(store, receipts[0])
    assert verdict is not None and not verdict.ok
    assert f"the audit entry {entry.seq} does not list attempt 1 of delivery {first_delivery}" in verdict.problems[0]
    assert _verdict(store, receipts[1]).ok is False  # the rewritten entry no longer links: every message sees it


def test_older_per_message_entries_are_found_by_subject_and_verify(store: Store) -> None:
    """Rows written before group entries have no audit_seq; their one entry each is found by subject."""
    original = b"<older/>"
    t = now()
    with store.write() as s:
        seq = s.execute(insert(table_of(Message)).returning(table_of(Message).c.seq), [{
            "receipt_id": "r-older", "message_id": "m-older", "sender_system_id": "juki", "lg_code": "243035",
            "service": "jumin", "operation": "IdoTsuchi", "subject_key": "k", "channel": "soap",
            "content_type": "text/xml", "original": original, "original_sha256": hashlib.sha256(original).hexdigest(),
            "content_sha256": "x", "envelope": {}, "canonical": {}, "accepted_at": t}]).scalar_one()
        delivery = s.execute(insert(table_of(Delivery)).returning(table_of(Delivery).c.id), [{
            "message_seq": seq, "destination": "zei", "subject_key": "k", "status": "delivered", "attempts": 1,
            "next_attempt_at": t, "created_at": t}]).scalar_one()
        s.execute(insert(table_of(DeliveryAttempt)), [{"delivery_id": delivery, "attempt_no": 1, "started_at": t,
                                                       "finished_at": t, "outcome": "delivered"}])
        audit.append_many(s, [
            ("juki", audit.MESSAGE_ACCEPTED, "r-older", {"messageId": "m-older", "service": "jumin",
                                                          "operation": "IdoTsuchi",
                                                          "sha256": hashlib.sha256(original).hexdigest(),
                                                          "destinations": ["zei"]}),
            ("hub", "delivery.delivered", f"zei:{delivery}", {"messageSeq": seq, "attempt": 1})])
    verdict = _verdict(store, "r-older")
    assert verdict is not None and verdict.ok, verdict.problems
    assert len(verdict.entries) == 2
    view = detail.message(store, "r-older", masked=True)
    assert view is not None and [a["action"] for a in view.audit] == [audit.MESSAGE_ACCEPTED, "delivery.delivered"]
    with store.write() as s:
        s.execute(update(Message).where(Message.seq == seq).values(original=b"<changed/>"))
    assert not _verdict(store, "r-older").ok  # type: ignore[union-attr]


def test_the_console_shows_only_this_messages_part_of_a_group_entry(store: Store) -> None:
    receipts = _accept_group(store, 4)
    _deliver(store, "zei")
    with store.write() as s:  # an operator's action, named by receipt id
        audit.append(s, "operator", "console.unmasked", receipts[2], {"reason": "確認"})
    view = detail.message(store, receipts[2], masked=True)
    assert view is not None
    accepted, recorded, unmasked = view.audit
    assert accepted["action"] == audit.MESSAGES_ACCEPTED and accepted["detail"]["ofGroup"] == 4
    assert [p["receiptId"] for p in accepted["detail"]["messages"]] == [receipts[2]]
    assert recorded["detail"]["ofGroup"] == 4
    assert [p["id"] for p in recorded["detail"]["deliveries"]] == [d["id"] for d in view.deliveries
                                                                   if d["destination"] == "zei"]
    assert unmasked["detail"] == {"reason": "確認"}


def test_cli_verifies_one_message_with_the_documented_exit_codes(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    store = Store(url)
    store.migrate()
    receipts = _accept_group(store, 2)
    env = {**os.environ, "CHIPLA_DB_URL": url}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "chipla.cli", "audit", "verify", *args], env=env,
                              capture_output=True, text=True)

    ok = run("--message", receipts[0])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"message {receipts[0]} intact" in ok.stdout
    missing = run("--message", "no-such-receipt")
    assert missing.returncode == 1 and "no message with receipt id 'no-such-receipt'" in missing.stderr
    with store.write() as s:
        s.execute(update(Message).where(Message.receipt_id == receipts[1]).values(original=b"<changed/>"))
    store.dispose()
    bad = run("--message", receipts[1])
    assert bad.returncode == 1
    assert f"message {receipts[1]} BROKEN: the stored original hashes to" in bad.stdout


@pytest.fixture(scope="module")
def one_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = Store(sqlite_url(tmp_path_factory.mktemp("audit-property")))
    s.migrate()
    yield s
    s.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(1, 6), data=st.data(), forged=st.one_of(st.text(max_size=70), st.none(), st.integers()),
       rehash=st.booleans())
def test_any_change_of_one_messages_digest_is_found_for_that_message(
        one_store: Store, size: int, data: st.DataObject, forged: Any, rehash: bool) -> None:
    receipts = _accept_group(one_store, size)
    target = data.draw(st.integers(0, size - 1))
    entry = _group_entry(one_store, receipts[target])
    parts = [dict(p) for p in entry.detail["messages"]]
    if forged == parts[target]["sha256"]:
        return
    saved = (entry.detail, entry.hash)
    assert _verdict(one_store, receipts[target]).ok  # type: ignore[union-attr]
    parts[target]["sha256"] = forged
    _rewrite(one_store, entry, {"messages": parts}, rehash)
    try:
        verdict = _verdict(one_store, receipts[target])
        assert verdict is not None and not verdict.ok
        assert any(str(entry.seq) in p for p in verdict.problems)
    finally:
        with one_store.write() as s:
            s.execute(update(AuditEntry).where(AuditEntry.seq == entry.seq).values(detail=saved[0], hash=saved[1]))

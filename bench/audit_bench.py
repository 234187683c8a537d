"""``chipla bench audit``: one accept group's audit work — one entry per message, or one per group.

Each round writes a group of G messages (the rows an accept group writes to ``messages``) and its
audit link(s) in one transaction on a fresh store (SQLite, WAL, synchronous=FULL, as the hub):

* **per message** (the baseline, how groups were audited before): ``append_many`` with one
  ``message.accepted`` entry per message;
* **group, entry first**: one ``messages.accepted`` entry listing all G messages, inserted first, so
  the message rows carry its seq in the same INSERT (what ``broker.accept`` does);
* **group, update after**: the same entry written after the messages, then one UPDATE setting
  ``audit_seq`` on the group's rows (the alternative).

and a recorded group of G delivery outcomes: one ``delivery.<outcome>`` entry per attempt (baseline)
or one ``deliveries.recorded`` entry listing them (the rest of recording is the same either way).

The variants run interleaved round by round, so a busy neighbour on a shared machine slows all alike;
reported is CPU time (this process: user + system) per message of the whole transaction and of its
audit step alone (the entries, and for "update after" the UPDATE), with ratios to the baseline. The
baseline's store has no index on ``audit_log.subject``, as before group entries (with one entry per
group the index is cheap, so the group variants keep it).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.orm import Session

from broker import audit
from broker.clock import now
from broker.models import Message, table_of
from broker.store import Store

Variant = Callable[[Session, list[dict[str, Any]]], float]  # returns the CPU seconds of its audit step


def _rows(size: int) -> list[dict[str, Any]]:
    t = now()
    rows = []
    for _ in range(size):
        original = os.urandom(1200).hex().encode()  # about the size of a signed 住民異動通知 body
        rows.append({"receipt_id": str(uuid.uuid4()), "message_id": str(uuid.uuid4()), "sender_system_id": "juki",
                     "lg_code": "243035", "service": "jumin", "operation": "IdoTsuchi", "subject_key": "k",
                     "channel": "soap", "content_type": "text/xml", "original": original,
                     "original_sha256": hashlib.sha256(original).hexdigest(), "content_sha256": "c" * 64,
                     "envelope": {"header": {"service": "jumin"}}, "canonical": {"ido": {}}, "accepted_at": t})
    return rows


def _part(row: dict[str, Any]) -> dict[str, Any]:
    return {"receiptId": row["receipt_id"], "messageId": row["message_id"], "sender": row["sender_system_id"],
            "service": row["service"], "operation": row["operation"], "sha256": row["original_sha256"],
            "destinations": ["zei", "kokuho", "kaigo"]}


def _insert(s: Session, rows: list[dict[str, Any]]) -> list[int]:
    messages = table_of(Message)
    return list(s.execute(insert(messages).returning(messages.c.seq, sort_by_parameter_order=True), rows).scalars())


def per_message(s: Session, rows: list[dict[str, Any]]) -> float:
    _insert(s, rows)
    started = time.process_time()
    audit.append_many(s, [(r["sender_system_id"], audit.MESSAGE_ACCEPTED, r["receipt_id"],
                           {k: v for k, v in _part(r).items() if k not in ("receiptId", "sender")}) for r in rows])
    return time.process_time() - started


def group_first(s: Session, rows: list[dict[str, Any]]) -> float:
    started = time.process_time()
    seq = audit.append(s, "hub", audit.MESSAGES_ACCEPTED, f"{len(rows)} messages",
                       {"messages": [_part(r) for r in rows]})
    spent = time.process_time() - started
    _insert(s, [{**r, "audit_seq": seq} for r in rows])
    return spent


def group_update_after(s: Session, rows: list[dict[str, Any]]) -> float:
    seqs = _insert(s, rows)
    started = time.process_time()
    seq = audit.append(s, "hub", audit.MESSAGES_ACCEPTED, f"{len(rows)} messages",
                       {"messages": [_part(r) for r in rows]})
    s.execute(update(Message).where(Message.seq.in_(seqs)).values(audit_seq=seq))
    return time.process_time() - started


BASELINE = "per message (baseline)"
VARIANTS: dict[str, Variant] = {BASELINE: per_message, "group, entry first": group_first,
                                "group, update after": group_update_after}


def run(group: int = 64, rounds: int = 150) -> dict[str, tuple[float, float]]:
    """CPU ms per message of each variant: (whole transaction, audit step)."""
    spent = {name: [0.0, 0.0] for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="chipla-bench-audit-") as folder:
        stores = {name: Store(f"sqlite:///{Path(folder) / f'{i}.db'}") for i, name in enumerate(VARIANTS)}
        for store in stores.values():
            store.migrate()
        with stores[BASELINE].write() as s:
            s.execute(text("DROP INDEX ix_audit_log_subject"))
        try:
            for _ in range(rounds):
                for name, variant in VARIANTS.items():
                    rows = _rows(group)
                    started = time.process_time()
                    with stores[name].write() as s:
                        spent[name][1] += variant(s, rows)
                    spent[name][0] += time.process_time() - started
        finally:
            for store in stores.values():
                store.dispose()
    per = 1000 / (group * rounds)
    return {name: (whole * per, step * per) for name, (whole, step) in spent.items()}


def outcomes(group: int = 64, rounds: int = 150) -> tuple[float, float]:
    """CPU ms per attempt of a transaction writing the audit of G outcomes: (per attempt, one per group)."""
    spent = [0.0, 0.0]
    with tempfile.TemporaryDirectory(prefix="chipla-bench-audit-") as folder:
        stores = [Store(f"sqlite:///{Path(folder) / f'outcomes-{i}.db'}") for i in range(2)]
        for store in stores:
            store.migrate()
        with stores[0].write() as s:
            s.execute(text("DROP INDEX ix_audit_log_subject"))
        try:
            for r in range(rounds):
                parts = [{"id": r * group + i, "destination": "zei", "messageSeq": r * group + i, "attempt": 1,
                          "outcome": "delivered"} for i in range(group)]
                started = time.process_time()
                with stores[0].write() as s:
                    audit.append_many(s, [("hub", "delivery.delivered", f"zei:{p['id']}",
                                           {"messageSeq": p["messageSeq"], "attempt": 1}) for p in parts])
                spent[0] += time.process_time() - started
                started = time.process_time()
                with stores[1].write() as s:
                    audit.append(s, "hub", audit.DELIVERIES_RECORDED, f"{group} deliveries to zei",
                                 {"deliveries": parts})
                spent[1] += time.process_time() - started
        finally:
            for store in stores:
                store.dispose()
    per = 1000 / (group * rounds)
    return spent[0] * per, spent[1] * per


def report(result: dict[str, tuple[float, float]], group: int, rounds: int) -> str:
    whole0, step0 = result[BASELINE]
    lines = [f"chipla bench audit — accept groups of {group} messages, {rounds} rounds each, SQLite (WAL, "
             "synchronous=FULL); CPU of this process per message"]
    lines += [f"  {name:<24} transaction {whole:6.3f} ms/msg (ratio {whole / whole0:4.2f})   "
              f"audit step {step:6.3f} ms/msg (ratio {step / step0:4.2f})" for name, (whole, step) in result.items()]
    return "\n".join(lines)


def report_outcomes(result: tuple[float, float], group: int) -> str:
    each, grouped = result
    return (f"recorded outcomes, groups of {group}: audit transaction per attempt {each:6.3f} ms (baseline), "
            f"one entry per group {grouped:6.3f} ms (ratio {grouped / each:4.2f})")

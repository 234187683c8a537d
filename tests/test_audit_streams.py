"""The audit chain as streams: concurrent writers do not wait for each other on PostgreSQL, and
editing, inserting, deleting or moving an entry is still found, with the lowest broken entry named."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, insert, select, update

from broker import audit
from broker.models import AuditEntry, AuditHead, table_of
from broker.store import Store


def _fill(store: Store, n: int = 6) -> None:
    for i in range(n):
        with store.write() as s:
            audit.append_many(s, [("t", "a.b", f"subject-{i}", {"i": i}), ("t", "a.c", f"other-{i}", {})])


def _two_streams(store: Store) -> tuple[int, int]:
    """Two transactions open at once: on PostgreSQL each takes its own stream without waiting."""
    first_in = threading.Event()
    done = threading.Event()
    streams: list[int] = []

    def hold() -> None:
        with store.write() as s:
            audit.append(s, "t", "held", "first")
            streams.append(s.execute(select(AuditEntry.stream).where(AuditEntry.subject == "first")).scalar_one())
            first_in.set()
            done.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    assert first_in.wait(10)
    try:
        with store.write() as s:  # with one global lock this would wait for `hold` to finish
            audit.append(s, "t", "while-held", "second")
            audit.append(s, "t", "while-held", "second-again")  # same transaction, same stream
            rows = s.execute(select(AuditEntry.stream).where(AuditEntry.subject.like("second%"))).scalars().all()
        assert len(set(rows)) == 1
        streams.append(rows[0])
        assert not done.is_set()
    finally:
        done.set()
        t.join(10)
    return streams[0], streams[1]


def test_writers_do_not_wait_for_each_other_on_postgresql(store: Store) -> None:
    if store.is_sqlite:
        pytest.skip("SQLite has one writer at a time; its entries go to stream 1")
    a, b = _two_streams(store)
    assert a != b
    with store.read() as s:
        assert audit.verify(s).ok


def test_every_stream_has_a_head_and_an_empty_log_verifies(store: Store) -> None:
    with store.read() as s:
        assert s.execute(select(func.count()).select_from(AuditHead)).scalar_one() == audit.STREAMS
        assert audit.verify(s).ok


def _broken(store: Store) -> audit.VerifyResult:
    with store.read() as s:
        return audit.verify(s)


def _entries(store: Store) -> list[AuditEntry]:
    with store.read() as s:
        return list(s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def test_an_edited_entry_is_named(store: Store) -> None:
    _fill(store)
    target = _entries(store)[3]
    with store.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == target.seq).values(detail={"i": 99}))
    result = _broken(store)
    assert not result.ok and result.broken_at == target.seq and "content" in result.reason


def test_a_deleted_entry_breaks_the_next_link_of_its_stream(store: Store) -> None:
    _fill(store)
    rows = _entries(store)
    target = rows[2]
    following = next(e for e in rows[3:] if e.stream == target.stream)
    with store.write() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == target.seq))
    result = _broken(store)
    assert not result.ok and result.broken_at == following.seq


def test_a_cut_tail_is_found_by_the_stream_head(store: Store) -> None:
    _fill(store)
    last = _entries(store)[-1]
    with store.write() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == last.seq))
    result = _broken(store)
    assert not result.ok and f"stream {last.stream} ends before" in result.reason


def test_an_inserted_entry_is_found(store: Store) -> None:
    _fill(store)
    first = _entries(store)[0]
    forged = {"at": first.at, "actor": "x", "action": "forged", "subject": "s", "detail": {},
              "stream": first.stream, "prev_hash": first.hash,
              "hash": audit._digest(first.hash, first.at, "x", "forged", "s", {})}
    with store.write() as s:
        s.execute(insert(table_of(AuditEntry)), [forged])
    result = _broken(store)
    assert not result.ok  # the forged entry sits after the end of the chain or breaks the next link


def test_an_entry_moved_to_another_stream_is_found(store: Store) -> None:
    _fill(store)
    target = _entries(store)[1]
    with store.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == target.seq).values(stream=target.stream % 32 + 1))
    assert not _broken(store).ok


def test_a_deleted_head_row_is_found(store: Store) -> None:
    _fill(store)
    with store.write() as s:
        s.execute(delete(AuditHead).where(AuditHead.id == audit.STREAMS))
    result = _broken(store)
    assert not result.ok and "head" in result.reason


def test_tampering_in_a_second_stream_is_found(store: Store) -> None:
    if store.is_sqlite:
        pytest.skip("SQLite writes one stream")
    _fill(store, 2)
    _, second = _two_streams(store)
    _fill(store, 2)
    with store.read() as s:
        target = s.execute(select(AuditEntry).where(AuditEntry.stream == second).order_by(AuditEntry.seq)
                           ).scalars().first()
    assert target is not None
    with store.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == target.seq).values(actor="someone-else"))
    result = _broken(store)
    assert not result.ok and result.broken_at == target.seq

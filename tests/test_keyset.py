"""The accept group's key lookups: on SQLite each searches its key's index (a scan per group would grow
with every message stored), and on both databases they find exactly the keys asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert

from broker import accept
from broker.clock import now
from broker.keyset import KeyedSelect
from broker.models import Nonce, table_of
from broker.services.jumin import rules as jumin_rules
from broker.services.zei import rules as zei_rules
from broker.store import Store
from tests.support import sqlite_url

LOOKUPS = [
    (accept._PRIOR, "messages", ("sender_system_id", "message_id")),
    (accept._SEEN_TOKENS, "wss_nonces", ("username", "nonce")),
    (jumin_rules._LATEST, "resident_versions", ("lg_code", "atena_no")),
    (zei_rules._LATEST, "zei_notices", ("lg_code", "shitei_no")),
]


@pytest.mark.parametrize(("lookup", "table", "key"), LOOKUPS, ids=[t for _, t, _ in LOOKUPS])
def test_sqlite_searches_the_key_index(tmp_path: Path, lookup: KeyedSelect, table: str, key: tuple[str, ...]) -> None:
    store = Store(sqlite_url(tmp_path))
    store.migrate()
    try:
        with store.engine.connect() as conn:
            sql = str(lookup.sqlite.compile(conn))
            plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", ('[["a", "b", 1]]',))]
    finally:
        store.dispose()
    on_table = [step for step in plan if f" {table} " in f"{step} "]
    assert on_table and all(step.startswith("SEARCH") for step in on_table), plan
    assert all(f"{column}=?" in on_table[0] for column in key), plan


def test_exactly_the_keys_asked_for_are_found(store: Store) -> None:
    expires = now()
    stored = [("庁内-住記", "n-1"), ("庁内-住記", "n-2"), ("other", "n-1")]
    with store.write() as s:
        s.execute(insert(table_of(Nonce)), [{"username": u, "nonce": n, "expires_at": expires} for u, n in stored])
    asked = [("庁内-住記", "n-1"), ("other", "n-2"), ("absent", "n-1"), ("other", "n-1")]
    with store.write() as s:
        found = set(accept._SEEN_TOKENS.run(s.connection(), asked).tuples())
    assert found == {("庁内-住記", "n-1"), ("other", "n-1")}

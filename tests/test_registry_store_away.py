"""With the store away, authentication is served from the last good registry read for a bounded
time, then refused as 5002 (store unavailable, a code senders retry) — never an internal error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from broker.errors import StoreUnavailable
from broker.registry import SystemRegistry
from broker.store import Store
from simulators.loopback import free_port
from tests.support import sqlite_url


def test_last_good_snapshot_then_5002(tmp_path: Path) -> None:
    store = Store(sqlite_url(tmp_path))
    store.migrate()
    registry = SystemRegistry(store, ttl=0, stale_seconds=0.5)
    registry.upsert_system({"id": "juki", "lgCode": "243035", "wssUsername": "juki", "wssPassword": "pw",
                            "allow": ["jumin/IdoTsuchi"]})
    assert registry.system_for_wss_user("juki") is not None
    away = Store(f"postgresql://chipla@127.0.0.1:{free_port()}/gone")  # nothing listens there
    registry.store = away
    try:
        found = registry.system_for_wss_user("juki")  # the last read still answers
        assert found is not None and found.id == "juki"
        time.sleep(0.6)
        with pytest.raises(StoreUnavailable) as refused:
            registry.system_for_wss_user("juki")
        assert refused.value.result.code == "5002"
        registry.store = store  # the store is back: fresh reads again
        assert registry.system_for_wss_user("juki") is not None
    finally:
        away.dispose()
        store.dispose()

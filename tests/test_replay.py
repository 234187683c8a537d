"""chipla replay: stored messages and imported records through a candidate mapping version, with the
field-level differences printed and nothing in the store changed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

import mappings
from adapters.inbound.files.pipeline import import_file
from adapters.inbound.files.sending import SendTarget
from broker.hub import Hub
from broker.imports import ImportBatch, ImportedRecord, ImportLineage
from broker.models import AuditEntry, Delivery, MappedRecord, Message, Quarantine
from broker.registry import SystemRegistry
from broker.services.jumin.replay import ReplayRefused, render, replay
from broker.store import Store
from chipla.services import catalog
from tests.support import sqlite_url
from tests.test_import_export import legacy_csv

SPECS = mappings.registry()
TABLES = (ImportBatch, ImportedRecord, ImportLineage, Message, MappedRecord, Delivery, Quarantine, AuditEntry)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """Two residents imported from a file and also sent as messages (so both kinds are stored)."""
    s = Store(sqlite_url(tmp_path))
    s.migrate()
    registry = SystemRegistry(s)
    registry.upsert_system({"id": "juki", "name": "住民記録システム", "lgCode": "243035",
                            "allow": ["jumin/IdoTsuchi"]})
    hub = Hub(s, registry, catalog(SPECS))
    (tmp_path / "a.csv").write_bytes(legacy_csv("utf-8", False))
    try:
        import_file(tmp_path / "a.csv", layout="chukan_jumin", store=s,
                    send=SendTarget(hub, registry.system("juki")))
    finally:
        hub.stop()  # the writer, and the derive stage after it
    yield s
    s.dispose()


def _counts(store: Store) -> list[int]:
    with store.read() as s:
        return [int(s.execute(select(func.count()).select_from(t)).scalar_one()) for t in TABLES]


def test_jumin_imi_v2_adds_the_kana_of_sei_and_mei(store: Store) -> None:
    before = _counts(store)
    report = replay(store, SPECS, "jumin-imi", "2")
    assert _counts(store) == before
    assert (report.compared, report.messages, report.imported, report.changed) == (4, 2, 2, 4)
    assert dict(report.by_field) == {"added 氏名.姓カナ表記": 4, "added 氏名.名カナ表記": 4}
    first = report.items[0]
    assert first.baseline == "v1"
    assert [str(c) for c in first.changes] == ["+ 氏名.名カナ表記: 'ショウタ'", "+ 氏名.姓カナ表記: 'イトウ'"]
    text = render(report)
    assert "message " in text and "imported record " in text and "jumin-imi v2: compared 4" in text


def test_limit_and_a_mapping_replayed_over_its_own_stored_output(store: Store) -> None:
    assert replay(store, SPECS, "jumin-imi", "2", limit=1).compared == 1
    same = replay(store, SPECS, "chukan-jumin-csv-import", "1")
    assert (same.imported, same.changed) == (2, 0)
    stored = replay(store, SPECS, "ido-imi", "1")
    assert (stored.messages, stored.changed) == (2, 0)
    assert stored.items == [] and "stored v1" not in render(stored)


def test_unknown_version_or_nothing_to_compare_is_refused(store: Store) -> None:
    with pytest.raises(ReplayRefused, match="versions: 1, 2"):
        replay(store, SPECS, "jumin-imi", "9")
    with pytest.raises(ReplayRefused, match="use --from"):
        replay(store, SPECS, "kisosaki-fixed-jumin", "1")


def test_replay_through_the_real_cli(store: Store) -> None:
    env = {**os.environ, "CHIPLA_DB_URL": store.url}
    out = subprocess.run([sys.executable, "-m", "chipla.cli", "replay", "--mapping", "jumin-imi", "--to", "2"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1, out.stderr
    assert "+ 氏名.姓カナ表記: 'イトウ'" in out.stdout
    assert "added 氏名.名カナ表記: 4" in out.stdout

"""The tag → child → guardian mapping is personal: its own table, audited reads, retention and
deletion, and nothing on the way to NGSI or open data can reach it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from broker.clock import now
from broker.models import AuditEntry
from broker.services.sensors import mimamori
from broker.services.sensors.devices import DeviceRegistry
from broker.services.sensors.models import MimamoriTag, Reading
from broker.services.sensors.store import Incoming, ObservationStore
from broker.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'm.db'}", synchronous="NORMAL")
    store.migrate()
    return store


def test_lookup_is_audited_and_retention_and_deletion_remove_the_mapping(tmp_path: Path) -> None:
    store = _store(tmp_path)
    mimamori.register(store, "243035", "00112233aabbccdd", "木曽 花子", "木曽 太郎", "090-0000-0000", 30, "kyoiku")
    mimamori.register(store, "243035", "ffeeddccbbaa9988", "岬 一郎", "岬 二郎", "090-1111-1111", 1, "kyoiku")
    found = mimamori.guardian_of(store, "243035", "00112233aabbccdd", actor="kyoiku", purpose="登校通知")
    assert found is not None and found.guardian_name == "木曽 太郎"
    assert mimamori.guardian_of(store, "131016", "00112233aabbccdd", actor="other", purpose="x") is None
    with store.read() as s:
        looks = list(s.execute(select(AuditEntry.actor, AuditEntry.detail)
                               .where(AuditEntry.action == "mimamori.looked_up")).tuples())
    assert looks[0] == ("kyoiku", {"purpose": "登校通知", "found": True})
    assert mimamori.purge_expired(store, pass_retention_days=90, at=now() + timedelta(days=2)) == (1, 0)
    assert mimamori.guardian_of(store, "243035", "ffeeddccbbaa9988", actor="kyoiku", purpose="x") is None
    assert mimamori.forget(store, "00112233aabbccdd", actor="kyoiku")
    with store.read() as s:
        assert s.execute(select(func.count()).select_from(MimamoriTag)).scalar_one() == 0
    store.dispose()


def test_gate_passes_past_retention_are_purged(tmp_path: Path, device_registry: DeviceRegistry) -> None:
    store = _store(tmp_path)
    sink = ObservationStore(store, device_registry)
    old, recent = now() - timedelta(days=100), now() - timedelta(days=1)
    sink.write([Incoming("chipla/243035/gate_pass/gate-school-01", json.dumps({
        "time": t.replace(microsecond=0).isoformat(), "seq": i, "tagId": "00112233aabbccdd",
        "direction": "in"}).encode())
        for i, t in enumerate((old, recent))])
    assert mimamori.purge_expired(store, pass_retention_days=90) == (0, 1)
    with store.read() as s:
        assert s.execute(select(func.count()).select_from(Reading)).scalar_one() == 1
    store.dispose()


def test_no_adapter_and_no_read_interface_touches_the_personal_table() -> None:
    offenders = []
    for py in list((ROOT / "adapters").rglob("*.py")) + [ROOT / "broker/services/sensors/queries.py"]:
        text = py.read_text(encoding="utf-8")
        if re.search(r"mimamori|MimamoriTag|mimamori_tags", text):
            offenders.append(str(py.relative_to(ROOT)))
    assert offenders == []

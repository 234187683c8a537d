"""The procurement registry loads, changes safely, and the KPIs use the pinned 業務 lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import kpi, registry
from conformance.gyomu import ACT_20, APPLIC_26


def test_town_registry_loads() -> None:
    reg = registry.load()
    assert reg.lgCode == "243035"
    assert registry.show(reg, "住民基本台帳").specRequiresStandard is True


def test_pinned_lists() -> None:
    assert len(APPLIC_26) == 26 and len(ACT_20) == 20
    assert "戸籍" in ACT_20 and "戸籍" not in APPLIC_26


def test_kpis_over_the_pinned_lists(tmp_path: Path) -> None:
    reg = registry.load()
    reg = registry.add(reg, {"gyomu": "戸籍", "vendor": "v", "product": "p", "version": "1",
                             "specRequiresStandard": True,
                             "conformance": {"report": "r/koseki", "result": None}})
    reg = registry.add(reg, registry.System("国民年金", "v", "p", "1", False, applicRegistered=True))
    result = kpi.compute(reg, {"r/koseki": {"verdict": "準拠"}})
    act, applic = result["act"], result["applic"]
    assert act["denominator"] == 20 and applic["denominator"] == 26
    # 住民基本台帳, 個人住民税 and 戸籍 require the standard; 戸籍 is not an APPLIC 業務.
    assert act[kpi.SPEC_RATE] == {"count": 3, "rate": 0.15}
    assert applic[kpi.SPEC_RATE]["count"] == 2
    # 戸籍 (signed report 準拠) and 国民年金 (registered product) conform.
    assert act[kpi.ADOPTION_RATE] == {"count": 2, "rate": 0.1}
    koseki = next(g for g in act["perGyomu"] if g["業務"] == "戸籍")
    assert koseki["準拠製品"] is True and koseki["仕様書に記載"] is True
    registry.save(reg, tmp_path / "town.yaml")
    assert registry.load(tmp_path / "town.yaml") == reg


def test_a_failed_report_overrides_the_recorded_result() -> None:
    reg = registry.add(registry.load(), {"gyomu": "戸籍", "vendor": "v", "product": "p", "version": "1",
                                         "specRequiresStandard": False,
                                         "conformance": {"report": "r/k", "result": "準拠"}})
    assert kpi.compute(reg, {"r/k": {"verdict": "不準拠"}})["act"][kpi.ADOPTION_RATE]["count"] == 0


def test_bad_entries_are_refused() -> None:
    reg = registry.load()
    with pytest.raises(registry.RegistryError):
        registry.add(reg, {"gyomu": "宇宙開発", "vendor": "v", "product": "p", "version": "1",
                           "specRequiresStandard": False})
    with pytest.raises(registry.RegistryError):
        registry.add(reg, registry.show(reg, "住民基本台帳"))
    with pytest.raises(registry.RegistryError):
        registry.show(reg, "戸籍")

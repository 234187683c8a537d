"""The procurement registry loads, changes safely, and the KPIs use the pinned 業務 lists."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from procurement import kpi, register
from procurement.gyomu import ACT_20, APPLIC_26


def test_town_registry_loads() -> None:
    reg = register.load()
    assert reg.lgCode == "243035"
    assert register.show(reg, "住民基本台帳").specRequiresStandard is True


def test_pinned_lists() -> None:
    assert len(APPLIC_26) == 26 and len(ACT_20) == 20
    assert "戸籍" in ACT_20 and "戸籍" not in APPLIC_26


def test_kpis_over_the_pinned_lists(tmp_path: Path) -> None:
    reg = register.load()
    reg = register.add(reg, {"gyomu": "戸籍", "vendor": "v", "product": "p", "version": "1",
                             "specRequiresStandard": True,
                             "conformance": {"report": "r/koseki", "result": None}})
    reg = register.add(reg, register.System("国民年金", "v", "p", "1", False, applicRegistered=True))
    result = kpi.compute(reg, {"r/koseki": {"verdict": "準拠"}})
    act, applic = result["act"], result["applic"]
    assert act["denominator"] == 20 and applic["denominator"] == 26
    # 戸籍 requires the standard; the 記入例 rows of 住民基本台帳 and 個人住民税 say so too but never
    # count; 戸籍 is not an APPLIC 業務.
    assert act[kpi.SPEC_RATE] == {"count": 1, "rate": 0.05}
    assert applic[kpi.SPEC_RATE]["count"] == 0
    # 戸籍 (signed report 準拠) and 国民年金 (registered product) conform.
    assert act[kpi.ADOPTION_RATE] == {"count": 2, "rate": 0.1}
    koseki = next(g for g in act["perGyomu"] if g["業務"] == "戸籍")
    assert koseki["準拠製品"] is True and koseki["仕様書に記載"] is True
    register.save(reg, tmp_path / "town.yaml")
    assert register.load(tmp_path / "town.yaml") == reg


def test_a_failed_report_overrides_the_recorded_result() -> None:
    reg = register.add(register.load(), {"gyomu": "戸籍", "vendor": "v", "product": "p", "version": "1",
                                         "specRequiresStandard": False,
                                         "conformance": {"report": "r/k", "result": "準拠"}})
    assert kpi.compute(reg, {"r/k": {"verdict": "不準拠"}})["act"][kpi.ADOPTION_RATE]["count"] == 0


def test_bad_entries_are_refused() -> None:
    reg = register.load()
    with pytest.raises(register.RegisterError):
        register.add(reg, {"gyomu": "宇宙開発", "vendor": "v", "product": "p", "version": "1",
                           "specRequiresStandard": False})
    juki = register.System("住民基本台帳", "v", "住民記録", "1", True)
    with pytest.raises(register.RegisterError):
        register.add(register.add(reg, juki), juki)
    with pytest.raises(register.RegisterError):
        register.show(reg, "戸籍")


def test_example_rows_never_count_in_the_kpis() -> None:
    """The shipped example marks its 記入例 rows; a copy of it reports nothing the town has not done."""
    reg = register.load()
    assert reg.systems and all(s.example for s in reg.systems)
    marked = register.ProcurementRegister(reg.lgCode, reg.municipality,
                               tuple(replace(s, example=False) for s in reg.systems))
    assert kpi.compute(marked)["act"][kpi.SPEC_RATE]["count"] == 2  # the rows would count if unmarked
    for name in ("act", "applic"):
        assert kpi.compute(reg)[name][kpi.SPEC_RATE]["count"] == 0
        assert all(row["systems"] == 0 for row in kpi.compute(reg)[name]["perGyomu"])


def test_a_real_system_takes_the_place_of_the_example_row() -> None:
    reg = register.add(register.load(), register.System("介護保険", "ベンダーC", "介護保険システム", "2.1", False))
    kaigo = register.systems(reg, "介護保険")
    assert [(s.product, s.example) for s in kaigo] == [("介護保険システム", False)]
    assert len(register.systems(reg)) == 4  # the other 業務 keep their 記入例 rows
    newer = register.add(reg, register.System("介護保険", "ベンダーC", "介護保険システム", "2.2", False),
                         replace_existing=True)
    assert [s.version for s in register.systems(newer, "介護保険")] == ["2.2"]

"""Procurement KPIs over the pinned 業務 lists (STANDARDS.md §2.8).

- 仕様書への記載率: 業務 whose procurement specification requires the standard ÷ 業務 of the standard.
- 準拠製品の導入率: 業務 running a conforming product ÷ 業務 of the standard.

A product counts as conforming when its latest signed kit report says 準拠 (``reports`` maps the
report path in the registry to its loaded summary), or, failing a report, when the registry records
準拠 or the product is on APPLIC's 準拠登録製品一覧. 業務 without any system count in the denominator:
the KPI measures the town, not the systems it happens to have listed. 記入例 rows (``example: true``)
of the shipped example never count: a copied example must not lend the town results it never had.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procurement.gyomu import STANDARDS
from procurement.register import ProcurementRegister, System, counted

#: the user-facing names of the pinned 業務 lists → the keys of :func:`compute`
LIST_NAMES = {"applic": "applic", "act2021": "act"}
SPEC_RATE = "仕様書への記載率"
ADOPTION_RATE = "準拠製品の導入率"


@dataclass(frozen=True)
class GyomuKpi:
    gyomu: str
    systems: int
    spec_requires: bool
    conformant: bool


def _conformant(system: System, reports: Mapping[str, Mapping[str, Any]]) -> bool:
    report = system.conformance.report
    if report and report in reports:
        return reports[report].get("verdict") == "準拠"
    return system.conformance.result == "準拠" or system.applicRegistered


def compute(registry: ProcurementRegister, reports: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Both KPIs for each pinned list ("applic": 26 業務, "act": 20 業務), overall and per 業務."""
    reports = reports or {}
    out: dict[str, Any] = {"lgCode": registry.lgCode, "municipality": registry.municipality}
    for name, (version, gyomu_list) in STANDARDS.items():
        rows = []
        for gyomu in gyomu_list:
            mine = [s for s in counted(registry) if s.gyomu == gyomu]
            rows.append(GyomuKpi(gyomu, len(mine), any(s.specRequiresStandard for s in mine),
                                 any(_conformant(s, reports) for s in mine)))
        total = len(gyomu_list)
        spec = sum(r.spec_requires for r in rows)
        adopted = sum(r.conformant for r in rows)
        out[name] = {
            "listVersion": version, "denominator": total,
            SPEC_RATE: {"count": spec, "rate": round(spec / total, 4)},
            ADOPTION_RATE: {"count": adopted, "rate": round(adopted / total, 4)},
            "perGyomu": [{"業務": r.gyomu, "systems": r.systems, "仕様書に記載": r.spec_requires,
                          "準拠製品": r.conformant} for r in rows],
        }
    return out


def by_list_name(registry: ProcurementRegister, standard: str | None = None,
                 reports: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The KPIs under the user-facing list names, optionally for one list only.

    ``reports`` (signed summaries by the register's report reference) is for callers that verified
    them; the REST API passes none and relies on the recorded results.
    """
    computed = compute(registry, reports)
    out: dict[str, Any] = {"lgCode": computed["lgCode"], "municipality": computed["municipality"]}
    for name, key in LIST_NAMES.items():
        if standard in (None, name):
            out[name] = computed[key]
    return out

"""The town's 業務 systems as data (one YAML file per municipality): load, validate, list, add, save.

The register is what the procurement KPIs are computed from; the REST API and the CLI are thin
wrappers around these functions. Writing keeps the file human-editable YAML, one entry per system.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from procurement.gyomu import ACT_20, APPLIC_26
from vocab.lgcode import is_valid

DEFAULT_PATH = Path(__file__).with_name("kisosaki.yaml")
KNOWN_GYOMU = frozenset(APPLIC_26) | frozenset(ACT_20)
RESULTS = (None, "準拠", "不準拠")


class RegisterError(ValueError):
    """An entry that would make the KPIs wrong (unknown 業務, bad 団体コード, unknown result)."""


@dataclass(frozen=True)
class Conformance:
    report: str | None = None
    result: str | None = None  # 準拠 / 不準拠 / None (not checked)
    checkedAt: str | None = None  # noqa: N815 - the YAML key


@dataclass(frozen=True)
class System:
    gyomu: str
    vendor: str
    product: str
    version: str
    specRequiresStandard: bool  # noqa: N815
    applicRegistered: bool = False  # noqa: N815
    conformance: Conformance = field(default_factory=Conformance)
    example: bool = False  # a 記入例 row of the shipped example: shown, never counted in KPIs

    def __post_init__(self) -> None:
        if self.gyomu not in KNOWN_GYOMU:
            raise RegisterError(f"業務 {self.gyomu!r} は標準の業務一覧にありません")
        if self.conformance.result not in RESULTS:
            raise RegisterError(f"{self.gyomu}: result は 準拠 / 不準拠 / null: {self.conformance.result!r}")


@dataclass(frozen=True)
class ProcurementRegister:
    lgCode: str  # noqa: N815
    municipality: str
    systems: tuple[System, ...]

    def __post_init__(self) -> None:
        if not is_valid(self.lgCode):
            raise RegisterError(f"団体コード {self.lgCode} の検査数字が正しくありません")

    def to_dict(self) -> dict[str, Any]:
        return {"lgCode": self.lgCode, "municipality": self.municipality,
                "systems": [asdict(s) for s in self.systems]}


def _system(row: dict[str, Any]) -> System:
    conf = Conformance(**(row.get("conformance") or {}))
    return System(**{**{k: v for k, v in row.items() if k != "conformance"}, "conformance": conf,
                     "version": str(row["version"])})


def load(path: Path = DEFAULT_PATH) -> ProcurementRegister:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    try:
        return ProcurementRegister(str(raw["lgCode"]), raw["municipality"],
                                   tuple(_system(r) for r in raw["systems"]))
    except (KeyError, TypeError) as exc:
        raise RegisterError(f"{path}: {exc}") from exc


def save(registry: ProcurementRegister, path: Path = DEFAULT_PATH) -> None:
    Path(path).write_text(yaml.safe_dump(registry.to_dict(), allow_unicode=True, sort_keys=False),
                          encoding="utf-8")


def save_atomically(registry: ProcurementRegister, path: Path) -> None:
    """Write beside the file and rename, so a crash never leaves half a register."""
    fd, tmp = tempfile.mkstemp(prefix=".procurement-", suffix=".yaml", dir=Path(path).parent)
    os.close(fd)
    try:
        save(registry, Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def systems(registry: ProcurementRegister, gyomu: str | None = None) -> list[System]:
    """The list command: all systems, or those of one 業務."""
    return [s for s in registry.systems if gyomu is None or s.gyomu == gyomu]


def show(registry: ProcurementRegister, gyomu: str) -> System:
    found = systems(registry, gyomu)
    if not found:
        raise RegisterError(f"業務 {gyomu!r} のシステムは登録されていません")
    return found[0]


def add(registry: ProcurementRegister, system: System | dict[str, Any], *,
        replace_existing: bool = False) -> ProcurementRegister:
    """A new register with ``system`` added, or replacing the entry of the same 業務 and product.

    A 記入例 row of the same 業務 is a placeholder: the first real entry takes its place, so a copied
    example never ends up with the example beside the town's own system."""
    entry = system if isinstance(system, System) else _system(system)
    same = [s for s in registry.systems if (s.gyomu, s.product) == (entry.gyomu, entry.product)
            and not s.example]
    if same and not replace_existing:
        raise RegisterError(f"{entry.gyomu} / {entry.product} は登録済みです（置き換えるには --replace）")
    kept = tuple(s for s in registry.systems if s not in same and not (s.example and s.gyomu == entry.gyomu))
    return replace(registry, systems=(*kept, entry))


def counted(registry: ProcurementRegister) -> list[System]:
    """The systems KPIs are computed from: every entry except the 記入例 rows."""
    return [s for s in registry.systems if not s.example]

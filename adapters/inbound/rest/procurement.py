"""Procurement API: the town's 業務 system registry and the KPIs computed from it. Admin role only.

The registry is a YAML file owned by the conformance kit's data functions (``conformance.registry``);
these handlers only read and append to it. Which file is decided by the composition root and carried
on the hub (:func:`attach`), so nothing here holds module-level state. The example registry shipped
with the kit is served read-only: adding a system to it would change an installed package file, so a
town that wants to record its systems names its own file (``CHIPLA_PROCUREMENT_REGISTRY``).

KPIs here use what the registry records (the result of the latest checked report, or APPLIC
registration); ``chipla conformance kpi --reports`` can overlay reports whose signatures it verifies.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from connexion.lifecycle import ConnexionResponse

from adapters.inbound.rest.context import current_hub
from adapters.inbound.rest.registry import _admin, _audit, _run
from broker.errors import DuplicateConflict, HubError, NotAllowed, RequestInvalid
from broker.hub import Hub
from conformance import kpi, registry

HUB_ATTRIBUTE = "procurement_registry"
# The user-facing names of the pinned 業務 lists → the keys of conformance.kpi.compute().
STANDARDS = {"applic": "applic", "act2021": "act"}


@dataclass(frozen=True)
class RegistryFile:
    """Where the registry lives, whether it may be written, and the lock that serialises writers."""

    path: Path
    writable: bool
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False)

    @classmethod
    def configured(cls, setting: str) -> RegistryFile:
        """Empty setting → the kit's example registry, read-only."""
        if not setting:
            return cls(registry.DEFAULT_PATH, writable=False)
        return cls(Path(setting), writable=Path(setting).resolve() != registry.DEFAULT_PATH.resolve())


def attach(hub: Hub, setting: str) -> RegistryFile:
    """Give the hub its registry file; a missing or broken file fails here, at start, not per request."""
    source = RegistryFile.configured(setting)
    registry.load(source.path)
    setattr(hub, HUB_ATTRIBUTE, source)
    return source


def _source() -> RegistryFile:
    source = getattr(current_hub(), HUB_ATTRIBUTE, None)
    return source if isinstance(source, RegistryFile) else RegistryFile.configured("")


def _load(source: RegistryFile) -> registry.Registry:
    try:
        return registry.load(source.path)
    except (OSError, registry.RegistryError) as exc:
        raise HubError("調達台帳を読み込めません", log_detail=f"{source.path}: {exc}") from exc


def save_atomically(reg: registry.Registry, path: Path) -> None:
    """Write beside the file and rename, so a crash never leaves half a registry."""
    fd, tmp = tempfile.mkstemp(prefix=".procurement-", suffix=".yaml", dir=path.parent)
    os.close(fd)
    try:
        registry.save(reg, Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def system_json(system: registry.System) -> dict[str, Any]:
    return asdict(system)


def kpi_json(reg: registry.Registry, standard: str | None = None,
             reports: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The KPIs under the user-facing list names, optionally for one list only.

    ``reports`` (signed summaries by the registry's report reference) is for callers that verified
    them; the REST API passes none and relies on the recorded results.
    """
    computed = kpi.compute(reg, reports)
    out: dict[str, Any] = {"lgCode": computed["lgCode"], "municipality": computed["municipality"]}
    for name, key in STANDARDS.items():
        if standard in (None, name):
            out[name] = computed[key]
    return out


async def list_procurement_systems(gyomu: str | None = None) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        source = _source()
        reg = _load(source)
        return {"lgCode": reg.lgCode, "municipality": reg.municipality, "writable": source.writable,
                "systems": [system_json(s) for s in registry.systems(reg, gyomu)]}
    return await _run(work)


async def add_procurement_system(body: dict[str, Any]) -> ConnexionResponse:
    def work() -> Any:
        admin = _admin()
        source = _source()
        if not source.writable:
            raise NotAllowed("調達台帳が設定されていないため追加できません（CHIPLA_PROCUREMENT_REGISTRY "
                                    "に自団体の台帳ファイルを指定してください）")
        with source.lock:
            reg = _load(source)
            if any((s.gyomu, s.product) == (body["gyomu"], body["product"]) for s in reg.systems):
                raise DuplicateConflict(f"{body['gyomu']} / {body['product']} は登録済みです")
            try:
                entry = registry.add(reg, body)
            except (registry.RegistryError, TypeError) as exc:
                raise RequestInvalid(str(exc)) from exc
            try:
                save_atomically(entry, source.path)
            except UnicodeEncodeError as exc:
                raise RequestInvalid("文字として保存できない値が含まれています") from exc
        added = registry.systems(entry, body["gyomu"])
        system = next(s for s in added if s.product == body["product"])
        _audit(admin.id, "procurement.system.added", f"{system.gyomu}:{system.product}")
        return system_json(system)
    return await _run(work, 201)


async def get_procurement_kpi(standard: str | None = None) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        return kpi_json(_load(_source()), standard)
    return await _run(work)

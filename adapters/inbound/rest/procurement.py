"""Procurement API: the town's 業務 system registry and the KPIs computed from it. Admin role only.

The register is a YAML file owned by ``procurement.register``; these handlers only read and append
to it. Which file is decided by the composition root and carried
on the hub (:func:`attach`), so nothing here holds module-level state. The example register shipped
with the kit is served read-only: adding a system to it would change an installed package file, so a
town that wants to record its systems names its own file (``CHIPLA_PROCUREMENT_REGISTRY``).

KPIs here use what the registry records (the result of the latest checked report, or APPLIC
registration); ``chipla conformance kpi --reports`` can overlay reports whose signatures it verifies.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from connexion.lifecycle import ConnexionResponse

from adapters.inbound.rest.context import current_hub
from adapters.inbound.rest.registry import _admin, _audit, _run
from broker.errors import DuplicateConflict, HubError, NotAllowed, RequestInvalid
from broker.hub import Hub
from procurement import kpi, register

HUB_ATTRIBUTE = "procurement_registry"


@dataclass(frozen=True)
class RegistryFile:
    """Where the registry lives, whether it may be written, and the lock that serialises writers."""

    path: Path
    writable: bool
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False)

    @classmethod
    def configured(cls, setting: str) -> RegistryFile:
        """Empty setting → the example register shipped in procurement/, read-only."""
        if not setting:
            return cls(register.DEFAULT_PATH, writable=False)
        return cls(Path(setting), writable=Path(setting).resolve() != register.DEFAULT_PATH.resolve())


def attach(hub: Hub, setting: str) -> RegistryFile:
    """Give the hub its registry file; a missing or broken file fails here, at start, not per request."""
    source = RegistryFile.configured(setting)
    register.load(source.path)
    setattr(hub, HUB_ATTRIBUTE, source)
    return source


def _source() -> RegistryFile:
    source = getattr(current_hub(), HUB_ATTRIBUTE, None)
    return source if isinstance(source, RegistryFile) else RegistryFile.configured("")


def _load(source: RegistryFile) -> register.ProcurementRegister:
    try:
        return register.load(source.path)
    except (OSError, register.RegisterError) as exc:
        raise HubError("調達台帳を読み込めません", log_detail=f"{source.path}: {exc}") from exc


def system_json(system: register.System) -> dict[str, Any]:
    return asdict(system)


async def list_procurement_systems(gyomu: str | None = None) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        source = _source()
        reg = _load(source)
        return {"lgCode": reg.lgCode, "municipality": reg.municipality, "writable": source.writable,
                "systems": [system_json(s) for s in register.systems(reg, gyomu)]}
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
                entry = register.add(reg, body)
            except (register.RegisterError, TypeError) as exc:
                raise RequestInvalid(str(exc)) from exc
            try:
                register.save_atomically(entry, source.path)
            except UnicodeEncodeError as exc:
                raise RequestInvalid("文字として保存できない値が含まれています") from exc
        added = register.systems(entry, body["gyomu"])
        system = next(s for s in added if s.product == body["product"])
        _audit(admin.id, "procurement.system.added", f"{system.gyomu}:{system.product}")
        return system_json(system)
    return await _run(work, 201)


async def get_procurement_kpi(standard: str | None = None) -> ConnexionResponse:
    def work() -> Any:
        _admin()
        return kpi.by_list_name(_load(_source()), standard)
    return await _run(work)

"""Load the town's systems, ACL and subscriptions from YAML at start-up (checked before serving).

    systems:
      - id: juki-vendor-a
        name: 住民記録システム
        lgCode: "243035"
        apiKey: ...            # or apiKeyEnv: NAME_OF_ENV_VAR (keep secrets out of files)
        wssUsername: juki
        wssPasswordEnv: CHIPLA_SECRET_JUKI
        allow: [jumin/IdoTsuchi]
    subscriptions:
      - {systemId: zei-vendor-b, service: jumin, operation: IdoTsuchi}
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from broker.registry import Registry
from vocab import lgcode


class RegistryFileError(ValueError):
    pass


def load(path: str | Path, registry: Registry, env: dict[str, str] | None = None) -> None:
    env = dict(os.environ if env is None else env)
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    for i, system in enumerate(data.get("systems", [])):
        where = f"{path}: systems[{i}]"
        for key in ("apiKey", "wssPassword"):
            env_key = system.pop(f"{key}Env", None)
            if env_key:
                if env_key not in env:
                    raise RegistryFileError(f"{where}: environment variable {env_key} is not set")
                system[key] = env[env_key]
        if "id" not in system or "lgCode" not in system:
            raise RegistryFileError(f"{where}: id and lgCode are required")
        if not lgcode.is_valid(str(system["lgCode"])):
            raise RegistryFileError(f"{where}: 団体コード {system['lgCode']} has a wrong check digit")
        registry.upsert_system(system)
    for i, sub in enumerate(data.get("subscriptions", [])):
        try:
            registry.add_subscription(sub["systemId"], sub["service"], sub["operation"], sub.get("idoCategories"))
        except Exception as exc:
            raise RegistryFileError(f"{path}: subscriptions[{i}]: {exc}") from exc

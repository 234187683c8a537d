"""The town's systems, ACL and subscriptions from one YAML file, checked before the hub serves.

    sync: file                       # the file is the truth (default); merge: only add and update
    systems:
      - id: juki-vendor-a
        name: 住民記録システム
        lgCode: "243035"
        apiKeyEnv: CHIPLA_SECRET_JUKI_KEY       # or apiKey: … (20+ characters)
        wssUsername: juki
        wssPasswordEnv: CHIPLA_SECRET_JUKI
        allow: [jumin/IdoTsuchi]
    subscriptions:
      - {systemId: zei-vendor-b, service: jumin, operation: IdoTsuchi}

The file is validated against ``registry_file.schema.yaml`` (unknown keys refused, so a misspelt key
stops the start instead of being ignored) and every error names the file and line. With ``sync:
file`` a system or subscription that is no longer in the file is deactivated, not left behind, and
the change is audited. docs/configuration.md documents every key.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from sqlalchemy import select, update

from broker import audit
from broker.models import Subscription, System
from broker.reasons import scrub
from broker.registry import SystemRegistry
from mappings.errors import MappingSpecError
from mappings.marked_yaml import MarkedDocument, load_marked
from vocab import lgcode

SECRET_KEYS = ("apiKey", "wssPassword", "webhookSecret")


class RegistryFileError(ValueError):
    """Everything wrong with a registry file, one ``file:line: reason`` per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class RegistryFile:
    sync: str
    systems: list[dict[str, Any]]
    subscriptions: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


@cache
def schema() -> dict[str, Any]:
    data = yaml.safe_load(Path(__file__).with_name("registry_file.schema.yaml").read_text(encoding="utf-8"))
    return dict(data)


def read(path: str | Path, env: dict[str, str] | None = None,
         delivery_kinds: frozenset[str] | None = None) -> RegistryFile:
    """Parse and check the file without touching a store (``chipla registry check``)."""
    env = dict(os.environ if env is None else env)
    if not Path(path).is_file():
        raise RegistryFileError([f"{path}: no such file (CHIPLA_REGISTRY_FILE)"])
    try:
        doc = load_marked(path)
    except MappingSpecError as exc:
        raise RegistryFileError([str(exc)]) from exc
    data = doc.data if doc.data is not None else {}
    problems = _schema_problems(doc, data)
    if problems:
        raise RegistryFileError(problems)
    systems = [dict(s) for s in data.get("systems", [])]
    problems += _meaning_problems(doc, systems, data.get("subscriptions", []), env, delivery_kinds)
    if problems:
        raise RegistryFileError(problems)
    return RegistryFile(sync=data.get("sync", "file"), systems=systems,
                        subscriptions=[dict(s) for s in data.get("subscriptions", [])])


def load(path: str | Path, registry: SystemRegistry, env: dict[str, str] | None = None,
         delivery_kinds: frozenset[str] | None = None) -> dict[str, int]:
    """Apply the file to the store; returns counts for the start-up log."""
    loaded = read(path, env, delivery_kinds)
    with registry.store.exclusive("registry-file"):  # `serve --workers N` processes load it at once
        for system in loaded.systems:
            registry.upsert_system(system)
        wanted: set[tuple[str, str, str]] = set()
        for sub in loaded.subscriptions:
            registry.add_subscription(sub["systemId"], sub["service"], sub["operation"], sub.get("idoCategories"))
            wanted.add((sub["systemId"], sub["service"], sub["operation"]))
        deactivated = _sync(registry, loaded, wanted, str(path)) if loaded.sync == "file" else {}
    registry.invalidate()
    return {"systems": len(loaded.systems), "subscriptions": len(loaded.subscriptions), **deactivated}


def _sync(registry: SystemRegistry, loaded: RegistryFile, wanted: set[tuple[str, str, str]],
          path: str) -> dict[str, int]:
    """The file is the truth: what it no longer names is deactivated (kept for the audit trail)."""
    in_file = {str(s["id"]) for s in loaded.systems}
    with registry.store.write() as s:
        gone_systems = [sid for sid in s.execute(select(System.id).where(System.active.is_(True))).scalars()
                        if sid not in in_file]
        gone_subs = [(sub_id, sys_id, svc, op) for sub_id, sys_id, svc, op in s.execute(
            select(Subscription.id, Subscription.system_id, Subscription.service, Subscription.operation)
            .where(Subscription.active.is_(True))) if (sys_id, svc, op) not in wanted]
        if gone_systems:
            s.execute(update(System).where(System.id.in_(gone_systems)).values(active=False))
        if gone_subs:
            s.execute(update(Subscription).where(Subscription.id.in_([g[0] for g in gone_subs])).values(active=False))
        if gone_systems or gone_subs:
            audit.append(s, "registry-file", "registry.deactivated", path[-200:],
                         {"systems": gone_systems, "subscriptions": [f"{g[1]}:{g[2]}/{g[3]}" for g in gone_subs]})
    return {"deactivatedSystems": len(gone_systems), "deactivatedSubscriptions": len(gone_subs)}


def _schema_problems(doc: MarkedDocument, data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            problems += _unknown_keys(doc, where, error)
            continue
        problems.append(f"{doc.file}:{doc.line(*where) or 1}: {_path_text(where)}: {_explain(error)}")
    return sorted(problems, key=_line_of)


def _line_of(problem: str) -> int:
    parts = problem.split(":")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _unknown_keys(doc: MarkedDocument, where: tuple[Any, ...], error: jsonschema.ValidationError) -> list[str]:
    """One problem per unknown key, at the key's own line, with the nearest allowed name."""
    allowed = sorted(error.schema.get("properties", {}))
    out = []
    for key in sorted(set(error.instance) - set(allowed)):
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else f" — allowed: {', '.join(allowed)}"
        out.append(f"{doc.file}:{doc.line(*where, key) or 1}: {_path_text((*where, key))}: unknown key {key!r}{hint}")
    return out


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "not":
        return "give a secret either directly or by its *Env variable, not both"
    return scrub(error.message)  # a refused value may be a secret: name the rule, not the value


def _path_text(where: tuple[Any, ...]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _meaning_problems(doc: MarkedDocument, systems: list[dict[str, Any]], subs: list[dict[str, Any]],
                      env: dict[str, str], delivery_kinds: frozenset[str] | None) -> list[str]:
    problems: list[str] = []
    ids = set()
    for i, system in enumerate(systems):
        def at(key: str, i: int = i) -> str:
            return f"{doc.file}:{doc.line('systems', i, key) or 1}: systems[{i}].{key}"
        if system["id"] in ids:
            problems.append(f"{at('id')}: system {system['id']} appears twice")
        ids.add(system["id"])
        if not lgcode.is_valid(system["lgCode"]):
            problems.append(f"{at('lgCode')}: 団体コード {system['lgCode']} has a wrong check digit")
        for key in SECRET_KEYS:
            env_key = system.pop(f"{key}Env", None)
            if env_key is None:
                continue
            if env_key not in env:
                problems.append(f"{at(key + 'Env')}: environment variable {env_key} is not set")
            elif len(env[env_key]) < (8 if key == "wssPassword" else 16):
                problems.append(f"{at(key + 'Env')}: the secret in {env_key} is too short")
            else:
                system[key] = env[env_key]
        kind = system.get("deliveryKind")
        if kind is not None and delivery_kinds is not None and kind not in delivery_kinds:
            close = difflib.get_close_matches(kind, sorted(delivery_kinds), n=1)
            problems.append(f"{at('deliveryKind')}: unknown delivery kind {kind!r}"
                            + (f" (did you mean {close[0]!r}?)" if close else "")
                            + f" — known: {', '.join(sorted(delivery_kinds))}")
        if "wssPassword" in system and "wssUsername" not in system:
            problems.append(f"{at('wssPassword')}: a WS-Security password needs wssUsername")
        if kind == "soap" and "wssUsername" not in system:
            problems.append(f"{at('deliveryKind')}: a SOAP receiver needs wssUsername/wssPassword "
                            "(the hub signs its calls with them)")
    for i, sub in enumerate(subs):
        if sub["systemId"] not in ids:
            line = doc.line("subscriptions", i, "systemId") or 1
            problems.append(f"{doc.file}:{line}: subscriptions[{i}].systemId: {sub['systemId']} is not a system "
                            "of this file")
    return problems

"""Rules as data: one YAML file per town, checked when the hub starts.

A bad file stops the hub with the file and the reason (a threshold list that does not increase, an
unknown rule kind, a quiet-hours time that is no time) instead of failing at the first reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import yaml

from vocab import lgcode

DEFAULT_RULES = Path(__file__).resolve().parent / "towns" / "243035.yaml"
RULE_KINDS = ("water_level", "bus_delay", "gomi", "mimamori", "farm")


class RulesInvalid(ValueError):
    """The rules file cannot be used; the message names the file and the rule."""


@dataclass(frozen=True)
class RuleDef:
    id: str
    kind: str
    params: dict[str, Any]


@dataclass(frozen=True)
class TownRules:
    lg_code: str
    town_name: str
    sender_name: str
    quiet_start: time
    quiet_end: time
    rate_per_hour: int
    digest_minutes: int
    operators: tuple[str, ...]
    rules: tuple[RuleDef, ...]
    source: str

    def as_json(self) -> dict[str, Any]:
        return {"lgCode": self.lg_code, "townName": self.town_name,
                "quietHours": {"start": self.quiet_start.strftime("%H:%M"), "end": self.quiet_end.strftime("%H:%M")},
                "ratePerHour": self.rate_per_hour, "digestMinutes": self.digest_minutes,
                "operators": len(self.operators),
                "rules": [{"id": r.id, "kind": r.kind, "params": r.params} for r in self.rules]}


def load(path: Path) -> TownRules:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesInvalid(f"{path}: {exc}") from exc
    try:
        return _town(raw, str(path))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RulesInvalid):
            raise
        raise RulesInvalid(f"{path}: {type(exc).__name__}: {exc}") from exc


def _town(raw: dict[str, Any], source: str) -> TownRules:
    lg = str(raw["lgCode"])
    if not lgcode.is_valid(lg):
        raise RulesInvalid(f"{source}: 団体コード {lg} の検査数字が正しくありません")
    quiet = raw.get("quietHours", {"start": "21:00", "end": "07:00"})
    rules: list[RuleDef] = []
    for entry in raw.get("rules", []):
        rid, kind = str(entry["id"]), str(entry["kind"])
        if kind not in RULE_KINDS:
            raise RulesInvalid(f"{source}: rule {rid}: kind {kind!r} is not one of {RULE_KINDS}")
        if any(r.id == rid for r in rules):
            raise RulesInvalid(f"{source}: rule id {rid} is used twice")
        rules.append(RuleDef(rid, kind, {k: v for k, v in entry.items() if k not in ("id", "kind")}))
    return TownRules(
        lg_code=lg, town_name=str(raw["townName"]), sender_name=str(raw.get("senderName", raw["townName"])),
        quiet_start=time.fromisoformat(str(quiet["start"])), quiet_end=time.fromisoformat(str(quiet["end"])),
        rate_per_hour=int(raw.get("ratePerHour", 6)), digest_minutes=int(raw.get("digestMinutes", 30)),
        operators=tuple(str(a) for a in raw.get("operators", [])), rules=tuple(rules), source=source,
    )

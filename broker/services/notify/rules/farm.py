"""Farm sensors: per-site limits (paddy water level and temperature, greenhouse temperature, eel-pond
water temperature) mail the site's producers once when a value leaves its range, and again only
after it has come back inside the range by the margin."""

from __future__ import annotations

from typing import Any

from broker.services.notify.definitions import RuleDef, RulesInvalid
from broker.services.notify.events import Intent, Reading
from broker.services.notify.rules.base import Rule


class FarmRule(Rule):
    families = ("paddy", "greenhouse", "eel_pond")

    def __init__(self, lg_code: str, definition: RuleDef) -> None:
        super().__init__(lg_code, definition)
        p = definition.params
        self.device = str(p["device"])
        self.name = str(p.get("name", self.device))
        self.urgent = bool(p.get("urgent", False))
        self.limits: dict[str, dict[str, Any]] = {str(k): dict(v) for k, v in dict(p["limits"]).items()}
        for prop, lim in self.limits.items():
            if "min" not in lim and "max" not in lim:
                raise RulesInvalid(f"rule {self.id}: limit {prop} needs min or max")
            if "min" in lim and "max" in lim and float(lim["min"]) >= float(lim["max"]):
                raise RulesInvalid(f"rule {self.id}: limit {prop}: min must be below max")

    def devices(self) -> frozenset[str]:
        return frozenset({self.device})

    def topics(self) -> dict[str, frozenset[str]]:
        return {"farm_site": frozenset({self.device})}

    def on_reading(self, reading: Reading, state: dict[str, Any], memo: dict[str, Any]) -> list[Intent]:
        intents: list[Intent] = []
        for prop, lim in self.limits.items():
            value = reading.values.get(prop)
            if value is None:
                continue
            margin = float(lim.get("margin", 0))
            side = None
            if "max" in lim and value > float(lim["max"]):
                side = "high"
            elif "min" in lim and value < float(lim["min"]):
                side = "low"
            alerting = state.get(prop)
            if side is not None and alerting != side:
                state[prop] = side
                state["seq"] = int(state.get("seq", 0)) + 1
                bound = lim["max"] if side == "high" else lim["min"]
                intents.append(Intent(
                    self.lg_code, self.id, "farm", self.device, f"{prop}-{state['seq']}", self.urgent,
                    (("farm_site", self.device),), "farm",
                    {"site": self.name, "label": lim.get("label", prop), "unit": lim.get("unit", ""),
                     "value": f"{value:g}", "bound": f"{float(bound):g}",
                     "side": "上回りました" if side == "high" else "下回りました",
                     "at": reading.at.strftime("%m月%d日 %H:%M")}, reading.at))
            elif side is None and alerting is not None:
                inside = (("max" not in lim or value <= float(lim["max"]) - margin)
                          and ("min" not in lim or value >= float(lim["min"]) + margin))
                if inside:
                    state.pop(prop)
        return intents

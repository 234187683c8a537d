"""Water level: the four 基準水位 of a gauge, with hysteresis, rate of rise and a stale-gauge alert.

A mail names the highest level reached. After a mail for a level, none follows for that level or
below until the water has fallen under the level's threshold minus the margin; falling under the
lowest threshold minus the margin is a full reset. Nothing is mailed on the way down. Residents
hear from ``residentsFrom`` (氾濫注意水位 by default) up; the town's operators from the first level.
A rise of ``riseMetres`` within ``riseMinutes`` alerts operators (and residents with ``riseTo: residents``).
A gauge silent for ``staleMinutes`` is reported to operators only: residents are not alarmed by a
dead battery, and nobody may read silence as "the water is low".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from broker.services.notify.definitions import RuleDef, RulesInvalid
from broker.services.notify.events import OPERATORS, Intent, Reading
from broker.services.notify.rules.base import Rule

LEVEL_NAMES = ("水防団待機水位", "氾濫注意水位", "避難判断水位", "氾濫危険水位")
# what each level tells residents (警戒レベル相当 after the 2021 change; see water-level notes)
LEVEL_INFO = {1: "水防団が待機する水位です", 2: "氾濫注意情報（警戒レベル2相当）の目安です",
              3: "高齢者等避難（警戒レベル3相当）の目安です", 4: "避難指示（警戒レベル4相当）の目安です"}


def canonical_level_name(name: str) -> str:
    """Both spellings occur in current public pages: はん濫 and 氾濫."""
    return name.replace("はん濫", "氾濫")


class WaterLevelRule(Rule):
    families = ("water_level",)

    def __init__(self, lg_code: str, definition: RuleDef) -> None:
        super().__init__(lg_code, definition)
        p = definition.params
        levels = {canonical_level_name(k): float(v) for k, v in dict(p["levels"]).items()}
        if set(levels) != set(LEVEL_NAMES):
            raise RulesInvalid(f"rule {self.id}: levels must be exactly {LEVEL_NAMES}")
        self.thresholds = tuple(levels[n] for n in LEVEL_NAMES)
        if any(a >= b for a, b in zip(self.thresholds, self.thresholds[1:], strict=False)):
            raise RulesInvalid(f"rule {self.id}: thresholds must increase from 水防団待機水位 to 氾濫危険水位")
        self.device = str(p["device"])
        self.name = str(p.get("name", self.device))
        self.residents_from = LEVEL_NAMES.index(canonical_level_name(str(p.get("residentsFrom", "氾濫注意水位")))) + 1
        self.margin = float(p.get("marginMetres", 0.1))
        self.rise = float(p.get("riseMetres", 0.3))
        self.rise_window = timedelta(minutes=float(p.get("riseMinutes", 30)))
        self.stale_after = timedelta(minutes=float(p.get("staleMinutes", 30)))
        # a fast rise warns operators by default; residents hear the levels themselves
        self.rise_audience: tuple[tuple[str, str], ...] = (
            (("water_gauge", self.device), (OPERATORS, "")) if p.get("riseTo") == "residents" else ((OPERATORS, ""),))

    def devices(self) -> frozenset[str]:
        return frozenset({self.device})

    def topics(self) -> dict[str, frozenset[str]]:
        return {"water_gauge": frozenset({self.device})}

    def reached(self, value: float) -> int:
        return sum(1 for t in self.thresholds if value >= t)

    def held(self, value: float) -> int:
        """The highest level not yet left, counting the hysteresis margin."""
        return sum(1 for t in self.thresholds if value >= t - self.margin)

    def _audience(self, level: int) -> tuple[tuple[str, str], ...]:
        if level >= self.residents_from:
            return (("water_gauge", self.device), (OPERATORS, ""))
        return ((OPERATORS, ""),)

    def _context(self, value: float, at: datetime, **extra: Any) -> dict[str, Any]:
        return {"gauge": self.name, "value": f"{value:.2f}", "at": at.strftime("%m月%d日 %H:%M"),
                "thresholds": [{"name": n, "value": f"{t:.2f}"} for n, t in
                               reversed(list(zip(LEVEL_NAMES, self.thresholds, strict=True)))], **extra}

    def on_reading(self, reading: Reading, state: dict[str, Any], memo: dict[str, Any]) -> list[Intent]:
        value = reading.values.get("waterLevel")
        if value is None:
            return []
        at = reading.at
        memo["last_seen"] = at
        state.pop("stale", None)  # the gauge speaks again; the next silence is a new alert
        intents: list[Intent] = []
        notified = int(state.get("level", 0))
        level = self.reached(value)
        if level > notified:
            state["seq"] = int(state.get("seq", 0)) + 1
            state["level"] = level
            name = LEVEL_NAMES[level - 1]
            intents.append(Intent(
                self.lg_code, self.id, "water", self.device, f"level-{state['seq']}", True,
                self._audience(level), "water_level",
                self._context(value, at, level=level, level_name=name, info=LEVEL_INFO[level]), at))
        else:
            held = self.held(value)
            if held < notified:
                state["level"] = held
        intents += self._rise(value, at, state, memo)
        return intents

    def _rise(self, value: float, at: datetime, state: dict[str, Any], memo: dict[str, Any]) -> list[Intent]:
        recent: list[tuple[datetime, float]] = memo.setdefault("recent", [])
        recent.append((at, value))
        while recent and at - recent[0][0] > self.rise_window:
            recent.pop(0)
        lowest = min(v for _, v in recent)
        risen = value - lowest
        if risen >= self.rise and not state.get("rising"):
            state["rising"] = True
            state["seq"] = int(state.get("seq", 0)) + 1
            minutes = int(self.rise_window.total_seconds() // 60)
            return [Intent(self.lg_code, self.id, "water", self.device, f"rise-{state['seq']}", True,
                           self.rise_audience, "water_rise",
                           self._context(value, at, risen=f"{risen:.2f}", minutes=minutes), at)]
        if risen < self.rise / 2 and state.get("rising"):
            state.pop("rising")
        return []

    def on_tick(self, at: datetime, states: dict[str, dict[str, Any]],
                memos: dict[str, dict[str, Any]]) -> list[tuple[str, list[Intent]]]:
        state = states.setdefault(self.device, {})
        memo = memos.setdefault(self.device, {})
        last: datetime = memo.setdefault("last_seen", at)  # after a restart, silence counts from now
        if at - last < self.stale_after or state.get("stale"):
            return []
        state["stale"] = True
        state["seq"] = int(state.get("seq", 0)) + 1
        minutes = int((at - last).total_seconds() // 60)
        return [(self.device, [Intent(
            self.lg_code, self.id, "stale", self.device, f"stale-{state['seq']}", True, ((OPERATORS, ""),),
            "stale_gauge", {"gauge": self.name, "device": self.device, "minutes": minutes,
                            "last": last.strftime("%m月%d日 %H:%M")}, at)])]

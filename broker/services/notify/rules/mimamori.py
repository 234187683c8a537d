"""みまもり: a gate pass of a tag mails that tag's guardians, and nobody else.

The reading carries only a pseudonymous tag id; which guardian belongs to which tag is a link an
operator made after the town verified the guardian (``notify_guardian_links``). A child lingering at
a gate makes several passes in a row: passes of one tag at one gate closer together than
``burstMinutes`` are one pass and one mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from broker.services.notify.definitions import RuleDef
from broker.services.notify.events import GUARDIANS_OF, Intent, Reading
from broker.services.notify.rules.base import Rule

DIRECTIONS = {"in": "入りました", "out": "出ました"}


class MimamoriRule(Rule):
    families = ("gate_pass",)

    def __init__(self, lg_code: str, definition: RuleDef) -> None:
        super().__init__(lg_code, definition)
        self.burst = timedelta(minutes=float(definition.params.get("burstMinutes", 10)))
        self.gate_names = {str(k): str(v) for k, v in dict(definition.params.get("gates", {})).items()}

    def subjects(self, reading: Reading) -> str:
        return f"{reading.device_id}:{reading.facts.get('tagId', '')}"

    def on_reading(self, reading: Reading, state: dict[str, Any], memo: dict[str, Any]) -> list[Intent]:
        tag = str(reading.facts.get("tagId") or "")
        if not tag:
            return []
        at = reading.at
        last = state.get("last")
        state["last"] = at.isoformat()
        if last is not None and timedelta(0) <= at - datetime.fromisoformat(last) < self.burst:
            return []
        gate = self.gate_names.get(reading.device_id, str(reading.facts.get("gateName") or reading.device_id))
        direction = DIRECTIONS.get(str(reading.facts.get("direction", "")), "通過しました")
        return [Intent(self.lg_code, self.id, "mimamori", self.subjects(reading), at.strftime("%Y%m%dT%H%M%S"),
                       True, ((GUARDIANS_OF, tag),), "mimamori",
                       {"gate": gate, "at": at.strftime("%m月%d日 %H:%M"), "direction": direction}, at)]

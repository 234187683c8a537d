"""The shape every rule has: built from its definition, fed readings and clock ticks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from broker.services.notify.definitions import RuleDef
from broker.services.notify.events import Intent, Reading


class Rule:
    """``state`` survives restarts (the service stores it when it changes); ``memo`` does not."""

    families: tuple[str, ...] = ()

    def __init__(self, lg_code: str, definition: RuleDef) -> None:
        self.lg_code = lg_code
        self.id = definition.id
        self.params = definition.params

    def devices(self) -> frozenset[str] | None:
        """The devices whose readings this rule reads; None for every device of its families."""
        return None

    def topics(self) -> dict[str, frozenset[str]]:
        """Topic kind → the keys a resident can subscribe to that this rule may mail (gauges, 大字, stops)."""
        return {}

    def subjects(self, reading: Reading) -> str:
        """The state key of a reading (a gauge, a trip, a tag at a gate)."""
        return reading.device_id

    def on_reading(self, reading: Reading, state: dict[str, Any], memo: dict[str, Any]) -> list[Intent]:
        return []

    def on_tick(self, at: datetime, states: dict[str, dict[str, Any]],
                memos: dict[str, dict[str, Any]]) -> list[tuple[str, list[Intent]]]:
        """Clock-driven notices (stale gauges, evening reminders): (subject, intents) pairs."""
        return []

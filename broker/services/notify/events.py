"""What the rules read and what they produce.

``Reading`` is the shape of a checked sensor reading (device, family, time, values, facts) as the
sensor feeds store it; rules take nothing else, so tests, the demo and the MQTT door feed them alike.
``Intent`` is a rule's decision that someone should be told something; who exactly, whether now,
later or in a digest, and whether it was already said, is decided by the notice writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KINDS = ("water", "bus", "gomi", "mimamori", "farm", "stale", "digest")
TOPIC_KINDS = ("gomi_area", "bus_route", "bus_stop", "water_gauge", "farm_site")
# audience entries that are not resident topics: a gate tag (guardians linked by an operator) and
# the town's operators
GUARDIANS_OF = "gate_tag"
OPERATORS = "operators"


@dataclass(frozen=True)
class Reading:
    lg_code: str
    device_id: str
    family: str  # water_level | bus_stop_pass | gate_pass | paddy | greenhouse | eel_pond …
    at: datetime
    values: Mapping[str, float] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)  # tripId, stopId, event, tagId, direction …


@dataclass(frozen=True)
class Intent:
    lg_code: str
    rule_id: str
    kind: str
    subject: str  # what the notice is about: gauge, trip, 大字 and date, gate, site and property
    window: str  # with rule and subject, the dedup key: one notice per subscriber per window
    urgent: bool
    audience: tuple[tuple[str, str], ...]  # (topic kind, key), (GUARDIANS_OF, tag) or (OPERATORS, "")
    template: str
    context: Mapping[str, Any]
    at: datetime

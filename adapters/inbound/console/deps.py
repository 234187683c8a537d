"""What the console needs from the rest of the hub, handed over by the composition root.

The console is an inbound adapter: it reads the store, acts through the hub and the dead letter
channel, and gets everything that lives outside ``broker``/``mappings`` (the replay engine, KPI
sources, SOAP samples) as plain callables, so arrows keep pointing inward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from broker.hub import Hub
from broker.operators import OperatorStore
from broker.registry import SystemRegistry
from broker.store import Store


@dataclass(frozen=True)
class Kpi:
    """One line of the plan's KPI table: a value computed from hub data, or ``None`` when the data
    it needs does not exist in this hub yet (shown as such, never invented)."""

    name: str
    value: str | None
    definition: str
    source: str


@dataclass(frozen=True)
class ReplayDiff:
    """A stored message through a candidate mapping version: the field changes against its baseline."""

    baseline: str
    candidate: str
    changes: list[tuple[str, str, Any, Any]]  # (kind, path, old, new)


@dataclass(frozen=True)
class SoapOperation:
    service: str
    operation: str
    sample: Callable[[], bytes]  # a request body element, valid against the XSD, as XML bytes


@dataclass
class ConsoleDeps:
    store: Store
    registry: SystemRegistry
    hub: Hub
    operators: OperatorStore
    secret: str
    lg_code: str
    kpis: Callable[[], list[Kpi]] = field(default=lambda: [])
    mapping_versions: Callable[[], dict[str, list[str]]] = field(default=lambda: {})
    replay: Callable[[int, str, str], ReplayDiff] | None = None
    soap_operations: list[SoapOperation] = field(default_factory=list)
    max_message_bytes: int = 1024 * 1024
    extras: dict[str, Any] = field(default_factory=dict)

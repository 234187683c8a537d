"""The port through which the dispatcher hands a delivery to an outbound adapter.

Adapters (SOAP via zeep, webhook) implement ``OutboundAdapter``; the composition root registers them
by ``delivery_kind``. ``FakeOutbound`` records what it was given, for unit tests of the core.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from broker.envelope import Header
from broker.registry import SystemInfo


@dataclass(frozen=True)
class OutboundMessage:
    delivery_id: int
    receipt_id: str
    attempt: int
    header: Header
    body: dict[str, Any]
    mapped: dict[str, Any] | None
    destination: SystemInfo
    removed_fields: tuple[str, ...] = ()


class DeliveryFailed(Exception):
    """A delivery did not succeed. ``retryable=False`` sends it straight to the dead letter channel."""

    def __init__(self, detail: str, *, retryable: bool = True) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retryable = retryable


class OutboundAdapter(ABC):
    kind: str
    #: whether deliveries carry the mapped form (``OutboundMessage.mapped``); the dispatcher makes
    #: one only for adapters that send it
    sends_mapped: bool = False

    @abstractmethod
    def deliver(self, message: OutboundMessage) -> None:
        """Deliver or raise ``DeliveryFailed``; must be safe to call again for the same message."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


@dataclass
class FakeOutbound(OutboundAdapter):
    kind: str = "fake"
    sends_mapped: bool = True
    delivered: list[OutboundMessage] = field(default_factory=list)
    fail_next: int = 0

    def deliver(self, message: OutboundMessage) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise DeliveryFailed("fake failure")
        self.delivered.append(message)

"""The dispatcher interface and the one step every dispatcher shares: deliver a claimed row."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from broker import classification
from broker.catalog import ServiceCatalog
from broker.clock import now
from broker.envelope import Header
from broker.outbound import DeliveryFailed, OutboundAdapter, OutboundMessage
from broker.outbox import Claimed, Outcome
from broker.registry import SystemRegistry
from broker.service import Service

log = logging.getLogger(__name__)

UNDECLARED = classification.FieldClasses({})


class Dispatcher(ABC):
    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def wake(self, destinations: list[str]) -> None:
        """New work for these destinations was just committed."""


class Deliverer:
    """Turns a claimed outbox row into an outbound message for the destination's adapter.

    The body is redacted per destination here with the message's service's field classes, so a
    field never leaves for a system not entitled to its class, whichever dispatcher runs the delivery.
    """

    def __init__(self, registry: SystemRegistry, adapters: dict[str, OutboundAdapter],
                 services: ServiceCatalog) -> None:
        self.registry = registry
        self.adapters = adapters
        self.services = services

    def sends_mapped(self, destination: str) -> bool:
        """Whether deliveries to this destination carry a mapped form (else none is read or made)."""
        try:
            kind = self.registry.system(destination).delivery_kind or ""
        except Exception:
            return True
        adapter = self.adapters.get(kind)
        return adapter is None or adapter.sends_mapped

    def deliver(self, claimed: Claimed) -> Outcome:
        started = now()
        try:
            destination = self.registry.system(claimed.destination)
        except Exception:
            return Outcome(claimed.delivery_id, False, f"destination {claimed.destination} is not registered",
                           retryable=False, started_at=started, owner=claimed.owner)
        adapter = self.adapters.get(destination.delivery_kind or "")
        if adapter is None:
            return Outcome(claimed.delivery_id, False,
                           f"no outbound adapter for delivery kind {destination.delivery_kind!r}",
                           retryable=False, started_at=started, owner=claimed.owner)
        header = Header(**claimed.envelope["header"])
        service = self.services.get(header.service)
        # a message written by a tap of its own (no declared service) has every field personal
        classes = service.classes if service is not None else UNDECLARED
        allowed = classification.entitled_classes(bango_riyo=destination.bango_riyo)
        body, removed = classes.redact(claimed.canonical, allowed)
        mapped = self._mapped(adapter, service, claimed.mapped, body, bool(removed))
        message = OutboundMessage(
            delivery_id=claimed.delivery_id, receipt_id=claimed.receipt_id, attempt=claimed.attempt,
            header=header, body=body, mapped=mapped, destination=destination, removed_fields=tuple(removed),
        )
        try:
            adapter.deliver(message)
        except DeliveryFailed as exc:
            return Outcome(claimed.delivery_id, False, exc.detail, exc.retryable, started, claimed.owner)
        except Exception as exc:  # an adapter bug must not kill the worker; keep it for the record
            log.exception("outbound adapter %s failed", adapter.kind)
            return Outcome(claimed.delivery_id, False, f"{type(exc).__name__}: {exc}", True, started, claimed.owner)
        return Outcome(claimed.delivery_id, True, started_at=started, owner=claimed.owner)

    @staticmethod
    def _mapped(adapter: OutboundAdapter, service: Service | None, stored: dict[str, Any] | None,
                body: dict[str, Any], redacted: bool) -> dict[str, Any] | None:
        """The mapped form a delivery carries, only for adapters that send one. The stored form was
        made from the full record, so a redacted body is mapped again; a form the derive stage has
        not stored yet is made the same way from the same stored original."""
        if not adapter.sends_mapped:
            return None
        if service is None:
            return None if redacted else stored
        if (redacted and stored is not None) or (stored is None and service.mapping_ids):
            return service.remap(body)
        return stored

"""The dispatcher interface and the one step every dispatcher shares: deliver a claimed row."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from broker import classification
from broker.catalog import ServiceCatalog
from broker.clock import now
from broker.envelope import Header
from broker.outbound import DeliveryFailed, OutboundAdapter, OutboundMessage
from broker.outbox import Claimed, Outcome
from broker.registry import SystemInfo, SystemRegistry
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


@dataclass(frozen=True)
class Prepared:
    """A claimed row ready to go out: its destination, adapter and redacted body."""

    claimed: Claimed
    destination: SystemInfo
    adapter: OutboundAdapter
    header: Header
    service: Service | None
    body: dict[str, Any]
    removed: tuple[str, ...]
    #: whether the delivery sends the stored mapped form (else it sends none, or maps the body again)
    wants_stored: bool
    #: whether the redaction removed fields the mapping reads: the redacted body is mapped again
    remap: bool = False


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

    def deliver(self, claimed: Claimed) -> Outcome:
        """Deliver one claimed row with the mapped form it was claimed with."""
        prepared = self.prepare(claimed)
        return prepared if isinstance(prepared, Outcome) else self.send(prepared, claimed.mapped)

    def prepare(self, claimed: Claimed) -> Prepared | Outcome:
        """Everything a delivery needs but the stored mapped form (an outcome when it cannot go out):
        the caller reads the stored forms of a batch at once, and only those a delivery will send."""
        try:
            destination = self.registry.system(claimed.destination)
        except Exception:
            return Outcome(claimed.delivery_id, False, f"destination {claimed.destination} is not registered",
                           retryable=False, started_at=now(), owner=claimed.owner)
        adapter = self.adapters.get(destination.delivery_kind or "")
        if adapter is None:
            return Outcome(claimed.delivery_id, False,
                           f"no outbound adapter for delivery kind {destination.delivery_kind!r}",
                           retryable=False, started_at=now(), owner=claimed.owner)
        header = Header(**claimed.envelope["header"])
        service = self.services.get(header.service)
        # a message written by a tap of its own (no declared service) has every field personal
        classes = service.classes if service is not None else UNDECLARED
        allowed = classification.entitled_classes(bango_riyo=destination.bango_riyo)
        body, removed = classes.redact(claimed.canonical, allowed)
        # a body that lost fields its service's mapping reads is mapped again (``_mapped``), and its
        # stored form is unused; one that lost only fields the mapping never reads sends the stored form
        remap = bool(removed) and service is not None and bool(service.mapping_ids) and service.remap_needed(removed)
        wants_stored = adapter.sends_mapped and not remap
        return Prepared(claimed, destination, adapter, header, service, body, tuple(removed), wants_stored, remap)

    def send(self, p: Prepared, stored: dict[str, Any] | None) -> Outcome:
        """Deliver a prepared row; ``stored`` is its stored mapped form (None: none stored yet)."""
        claimed, started = p.claimed, now()
        mapped = self._mapped(p.adapter, p.service, stored if p.wants_stored else None, p.body, bool(p.removed),
                              p.remap)
        message = OutboundMessage(
            delivery_id=claimed.delivery_id, receipt_id=claimed.receipt_id, attempt=claimed.attempt,
            header=p.header, body=p.body, mapped=mapped, destination=p.destination, removed_fields=p.removed,
        )
        try:
            p.adapter.deliver(message)
        except DeliveryFailed as exc:
            return Outcome(claimed.delivery_id, False, exc.detail, exc.retryable, started, claimed.owner)
        except Exception as exc:  # an adapter bug must not kill the worker; keep it for the record
            log.exception("outbound adapter %s failed", p.adapter.kind)
            return Outcome(claimed.delivery_id, False, f"{type(exc).__name__}: {exc}", True, started, claimed.owner)
        return Outcome(claimed.delivery_id, True, started_at=started, owner=claimed.owner)

    @staticmethod
    def _mapped(adapter: OutboundAdapter, service: Service | None, stored: dict[str, Any] | None,
                body: dict[str, Any], redacted: bool, remap: bool) -> dict[str, Any] | None:
        """The mapped form a delivery carries, only for adapters that send one. The stored form was
        made from the full record, so a body redacted of fields the mapping reads (``remap``) is
        mapped again; a body redacted of others only maps to the stored form, which is sent. A form
        the derive stage has not stored yet is made the same way from the same stored original."""
        if not adapter.sends_mapped:
            return None
        if service is None:
            return None if redacted else stored
        if (remap and stored is not None) or (stored is None and service.mapping_ids):
            return service.remap(body)
        return stored

"""Assemble the hub from settings: store, registry, mapper, outbound adapters, dispatcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import mappings
from adapters.inbound.rest import procurement
from adapters.outbound.by_service import ByService
from adapters.outbound.ngsi.notify import NgsiNotifyAdapter
from adapters.outbound.soap_client import SoapDeliveryAdapter
from adapters.outbound.webhook import WebhookAdapter
from broker.catalog import ServiceCatalog
from broker.dispatch.base import Deliverer, Dispatcher
from broker.dispatch.external import ExternalDispatcher
from broker.dispatch.inline import InlineDispatcher
from broker.hub import Hub
from broker.outbound import OutboundAdapter
from broker.outbox import Outbox
from broker.refusals import RefusalPolicy
from broker.registry import SystemRegistry
from broker.retry import RetryPolicy
from broker.services import jumin
from broker.store import Store
from chipla import notify, registry_file, signing
from chipla.config import Settings
from chipla.services import catalog, own_deliveries

log = logging.getLogger(__name__)


def deliverer(registry: SystemRegistry, adapters: dict[str, OutboundAdapter], services: ServiceCatalog) -> Deliverer:
    return Deliverer(registry, adapters, services)


@dataclass
class Parts:
    settings: Settings
    store: Store
    registry: SystemRegistry
    services: ServiceCatalog
    hub: Hub
    outbox: Outbox
    adapters: dict[str, OutboundAdapter]
    dispatcher: Dispatcher
    sensors: Any = None  # chipla.feeds.SensorFeed when this process runs the MQTT door


#: how often a delivering process of its own looks for messages to derive (it is handed none)
DELIVERING_PROCESS_SWEEP_SECONDS = 0.2

DELIVERY_KINDS = frozenset({"soap", "webhook", "ngsi"})


def delivery_kinds(settings: Settings | None = None) -> frozenset[str]:
    """The ``deliveryKind`` values a registered receiver may have: one per outbound adapter."""
    return DELIVERY_KINDS


def outbound_adapters(settings: Settings, store: Store, services: ServiceCatalog) -> dict[str, OutboundAdapter]:
    """By delivery kind; a service registered with deliveries of its own form (chipla.services) has
    its adapter under the same kind, beside the plain one every other service uses."""
    timeout = settings.delivery_timeout
    own = own_deliveries(services, store, timeout)
    plain: dict[str, OutboundAdapter] = {"soap": SoapDeliveryAdapter(jumin.JuminService.contract, timeout=timeout),
                                         "webhook": WebhookAdapter(timeout=timeout),
                                         "ngsi": NgsiNotifyAdapter(timeout=timeout)}
    if unknown := set(own) - set(plain):
        raise ValueError(f"services register deliveries of unknown kinds: {sorted(unknown)}")
    adapters = {kind: ByService(adapter, own[kind]) if kind in own else adapter for kind, adapter in plain.items()}
    assert frozenset(adapters) == DELIVERY_KINDS
    return adapters


def refusal_policy(settings: Settings) -> RefusalPolicy:
    return RefusalPolicy(retention_days=settings.quarantine_retention_days, max_bytes=settings.quarantine_max_bytes,
                         refusals_per_minute=settings.refusals_per_minute,
                         anonymous_samples_per_minute=settings.anonymous_samples_per_minute,
                         max_original_bytes=settings.max_message_bytes)


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(base_seconds=settings.retry_base_seconds, max_attempts=settings.retry_max_attempts,
                       cap_seconds=settings.retry_cap_seconds)


def build(settings: Settings, *, deliver: bool | None = None) -> Parts:
    """Assemble the hub. ``deliver`` overrides whether this process delivers (``chipla dispatch``
    delivers while the serving process, with ``CHIPLA_DISPATCHER=external``, does not)."""
    store = Store(settings.db_url, synchronous=settings.sqlite_synchronous)
    store.migrate()
    registry = SystemRegistry(store, stale_seconds=settings.registry_stale_seconds)
    if settings.registry_file:
        counts = registry_file.load(settings.registry_file, registry, delivery_kinds=delivery_kinds(settings))
        log.info("registry file %s: %s", settings.registry_file, ", ".join(f"{k} {v}" for k, v in counts.items()))
    services = catalog(mappings.registry(), signing.issuer(settings))
    hub = Hub(store, registry, services, refusal_policy=refusal_policy(settings))
    procurement.attach(hub, settings.procurement_registry)
    outbox = Outbox(store, retry_policy(settings), lease_seconds=settings.lease_seconds)
    hub.deriver.decoded = outbox.decoded  # a message decoded (and mapped) once for every destination
    adapters = outbound_adapters(settings, store, services)
    adapters.update(notify.attach(settings, store, registry, hub))
    dispatcher: Dispatcher
    if deliver is None:
        deliver = settings.dispatcher not in ("external", "process")
    if settings.dispatcher in ("external", "process"):
        # the delivering process also runs the derive stage, on the other core: it finds the new
        # messages by sweeping the store; the accepting process hands nothing over
        if deliver:
            hub.deriver.sweep_seconds = DELIVERING_PROCESS_SWEEP_SECONDS
        else:
            hub.writer.on_stored = None
    if not deliver:
        dispatcher = ExternalDispatcher()
    elif settings.dispatcher == "celery":
        from broker.dispatch.celery_relay import CeleryRelay

        dispatcher = CeleryRelay(outbox, settings.broker_url, max_in_flight=settings.max_in_flight)
    else:
        if store.is_sqlite:
            released = outbox.release_all_leases()
            if released:
                log.info("released %d deliveries claimed before the last stop", released)
        dispatcher = InlineDispatcher(outbox, deliverer(registry, adapters, services),
                                      parallel=settings.delivery_parallel)
    hub.attach_dispatcher(dispatcher)
    return Parts(settings, store, registry, services, hub, outbox, adapters, dispatcher)

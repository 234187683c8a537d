"""Assemble the hub from settings: store, registry, mapper, outbound adapters, dispatcher."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mappings
from adapters.inbound.rest import procurement
from adapters.outbound.ngsi.notify import NgsiNotifyAdapter
from adapters.outbound.soap_client import SoapDeliveryAdapter
from adapters.outbound.webhook import WebhookAdapter
from broker.dispatch.base import Deliverer, Dispatcher
from broker.dispatch.external import ExternalDispatcher
from broker.dispatch.inline import InlineDispatcher
from broker.envelope import Envelope
from broker.hub import Hub
from broker.outbound import OutboundAdapter
from broker.outbox import Outbox
from broker.refusals import RefusalPolicy
from broker.registry import Registry
from broker.retry import RetryPolicy
from broker.store import Store
from chipla import notify, registry_file
from chipla.config import Settings
from mappings import imi

log = logging.getLogger(__name__)


def ido_mapper(specs: mappings.Registry) -> Callable[[Envelope], list[dict[str, Any]]]:
    """Every accepted 異動 is stored with its IMI JSON-LD form, mapping id and version, and lineage.

    Fields the mapping could not produce are recorded beside the lineage rather than blocking the
    accept: the original is kept and can be replayed through a corrected mapping version.
    """

    def map_ido(envelope: Envelope) -> list[dict[str, Any]]:
        mapped = imi.ido_to_imi(envelope.body["ido"], specs=specs)
        lineage = list(_lineage(tuple(mapped.lineage)))
        lineage += [{"error": {"path": e.path, "reason": e.reason}} for e in mapped.errors]
        return [{"mapping_id": mapped.mapping_id, "mapping_version": str(mapped.mapping_version),
                 "output": mapped.output, "lineage": lineage}]

    return map_ido


@lru_cache(maxsize=256)
def _lineage(entries: tuple[mappings.LineageEntry, ...]) -> tuple[dict[str, Any], ...]:
    """The lineage of a spec version is the same for every record with the same fields present: build
    its stored form once (entries are frozen, the dicts are only read)."""
    return tuple(e.to_dict() for e in entries)


def deliverer(registry: Registry, adapters: dict[str, OutboundAdapter], specs: mappings.Registry) -> Deliverer:
    """Deliverer that re-maps a body after redaction, so the IMI form never carries removed fields."""
    return Deliverer(registry, adapters, remap=lambda body: imi.ido_to_imi(body["ido"], specs=specs).output)


@dataclass
class Parts:
    settings: Settings
    store: Store
    registry: Registry
    hub: Hub
    outbox: Outbox
    adapters: dict[str, OutboundAdapter]
    dispatcher: Dispatcher
    sensors: Any = None  # chipla.feeds.SensorFeed when this process runs the MQTT door


def delivery_kinds(settings: Settings | None = None) -> frozenset[str]:
    """The ``deliveryKind`` values a registered receiver may have: one per outbound adapter."""
    adapters = outbound_adapters(settings or Settings())
    try:
        return frozenset(adapters)
    finally:
        for adapter in adapters.values():
            adapter.close()


def outbound_adapters(settings: Settings) -> dict[str, OutboundAdapter]:
    return {"soap": SoapDeliveryAdapter(timeout=settings.delivery_timeout),
            "webhook": WebhookAdapter(timeout=settings.delivery_timeout),
            "ngsi": NgsiNotifyAdapter(timeout=settings.delivery_timeout)}


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
    registry = Registry(store)
    if settings.registry_file:
        counts = registry_file.load(settings.registry_file, registry, delivery_kinds=delivery_kinds(settings))
        log.info("registry file %s: %s", settings.registry_file, ", ".join(f"{k} {v}" for k, v in counts.items()))
    specs = mappings.registry()
    hub = Hub(store, registry, mapper=ido_mapper(specs), refusal_policy=refusal_policy(settings))
    procurement.attach(hub, settings.procurement_registry)
    outbox = Outbox(store, retry_policy(settings), lease_seconds=settings.lease_seconds)
    adapters = outbound_adapters(settings)
    adapters.update(notify.attach(settings, store, registry, hub))
    dispatcher: Dispatcher
    if deliver is None:
        deliver = settings.dispatcher != "external"
    if not deliver:
        dispatcher = ExternalDispatcher()
    elif settings.dispatcher == "celery":
        from broker.dispatch.celery_relay import CeleryRelay

        dispatcher = CeleryRelay(outbox, settings.broker_url)
    else:
        if store.is_sqlite:
            released = outbox.release_all_leases()
            if released:
                log.info("released %d deliveries claimed before the last stop", released)
        dispatcher = InlineDispatcher(outbox, deliverer(registry, adapters, specs),
                                      parallel=settings.delivery_parallel)
    hub.attach_dispatcher(dispatcher)
    return Parts(settings, store, registry, hub, outbox, adapters, dispatcher)

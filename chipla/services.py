"""The services this hub runs. Adding a 業務 or a feed is one line in ``SERVICES`` (docs/services.md).

Each entry builds the service's declaration from what the composition root owns (the mapping specs
loaded once at start, the town's signing identity); a bad declaration stops the hub here, at start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mappings
from adapters.outbound import seihon
from broker.catalog import ServiceCatalog
from broker.outbound import OutboundAdapter
from broker.service import Service
from broker.services import jumin, ngsi, zei
from broker.services.zei.issuing import Issuer
from broker.store import Store
from chipla.signing import throwaway_issuer


@dataclass(frozen=True)
class Owned:
    """What the composition root hands to the services it declares."""

    specs: mappings.SpecRegistry
    issuer: Issuer


#: (service, store, delivery timeout) → adapters by delivery kind that replace the plain ones for it
Deliveries = Callable[[Service, Store, float], dict[str, OutboundAdapter]]


@dataclass(frozen=True)
class Registration:
    """One service: how to declare it and, when its deliveries take another form than the plain SOAP
    / webhook / NGSI message (the signed 正本 of 個人住民税), the adapters that make that form."""

    declare: Callable[[Owned], Service]
    deliveries: Deliveries | None = None


SERVICES: tuple[Registration, ...] = (
    Registration(lambda owned: jumin.declare(owned.specs)),
    Registration(lambda owned: ngsi.declare(owned.specs)),
    Registration(lambda owned: zei.declare(owned.issuer), deliveries=seihon.deliveries),
)


def catalog(specs: mappings.SpecRegistry | None = None, issuer: Issuer | None = None) -> ServiceCatalog:
    owned = Owned(specs if specs is not None else mappings.registry(), issuer or throwaway_issuer())
    return ServiceCatalog(registration.declare(owned) for registration in SERVICES)


def own_deliveries(services: ServiceCatalog, store: Store, timeout: float) -> dict[str, dict[str, OutboundAdapter]]:
    """Delivery kind → service id → the service's own adapter, for the services that register one."""
    by_kind: dict[str, dict[str, OutboundAdapter]] = {}
    for registration, service in zip(SERVICES, services, strict=True):
        if registration.deliveries is not None:
            for kind, adapter in registration.deliveries(service, store, timeout).items():
                by_kind.setdefault(kind, {})[service.id] = adapter
    return by_kind

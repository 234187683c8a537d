"""The services this hub runs. Adding a 業務 or a feed is one line in ``SERVICES`` (docs/services.md).

Each entry builds the service's declaration from what the composition root owns (the mapping specs
loaded once at start); a bad declaration stops the hub here, at start.
"""

from __future__ import annotations

from collections.abc import Callable

import mappings
from broker.catalog import ServiceCatalog
from broker.service import Service
from broker.services import jumin, ngsi

SERVICES: tuple[Callable[[mappings.SpecRegistry], Service], ...] = (
    jumin.declare,
    ngsi.declare,
)


def catalog(specs: mappings.SpecRegistry | None = None) -> ServiceCatalog:
    loaded = specs if specs is not None else mappings.registry()
    return ServiceCatalog(declare(loaded) for declare in SERVICES)

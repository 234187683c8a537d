"""NGSI notifications (service ``ngsi``): entities made of sensor observations, delivered through the
outbox to NGSI-v2 subscribers. Written into the outbox by the notification tap, not by a door."""

from __future__ import annotations

import mappings
from broker.services.ngsi.service import NgsiNotifications


def declare(specs: mappings.SpecRegistry) -> NgsiNotifications:
    return NgsiNotifications()


__all__ = ["NgsiNotifications", "declare"]

"""The services (業務 and feeds), one package each. The composition root registers them
(``chipla/services.py``); the core reaches them only through ``broker.service.Service``."""

from __future__ import annotations

from broker.classification import FieldClasses


def field_classes(service: str) -> FieldClasses:
    """The declared field classes of a service by id, for readers outside the pipeline (console
    masking, open-data checks). An unknown service classifies every field as personal."""
    from broker.services.jumin.service import JuminService
    from broker.services.ngsi.service import NgsiNotifications

    known = {s.id: s.classes for s in (JuminService, NgsiNotifications)}
    return known.get(service, FieldClasses({}))

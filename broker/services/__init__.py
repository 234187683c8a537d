"""The services (業務 and feeds), one package each. The composition root registers them
(``chipla/services.py``); the core reaches them only through ``broker.service.Service``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from broker.classification import FieldClasses

HERE = Path(__file__).resolve().parent


@cache
def field_classes(service: str) -> FieldClasses:
    """The declared field classes of a service by id, for readers outside the pipeline (console
    masking, open-data checks): the ``classification.yaml`` in the service's folder, the same file its
    declaration reads. An unknown service classifies every field as personal."""
    path = HERE / service / "classification.yaml"
    if not service.isidentifier() or not path.is_file():
        return FieldClasses({})
    return FieldClasses.from_yaml(path)

"""The town's 業務 systems as data (kisosaki.yaml) with plain functions to list, add and show them.

The registry is what procurement KPIs are computed from; the REST API and the CLI are thin wrappers
around these functions. Writing keeps the file human-editable YAML, one entry per system.
"""

from __future__ import annotations

from conformance.registry.store import (
    DEFAULT_PATH,
    Conformance,
    Registry,
    RegistryError,
    System,
    add,
    counted,
    load,
    save,
    show,
    systems,
)

__all__ = ["DEFAULT_PATH", "Conformance", "Registry", "RegistryError", "System", "add", "counted", "load", "save",
           "show", "systems"]

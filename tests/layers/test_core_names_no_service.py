"""The core (hub, accept, router, outbox, dispatch, audit, classification …) is generic: it names no
service and imports no service module; services are declared and registered in the composition root."""

from __future__ import annotations

import re

from tests.layers.imports import ROOT, files, offenders

CORE = files("broker/*.py", "broker/dispatch/*.py")
SERVICE_IDS = ("jumin", "zei")


def test_core_modules_import_no_service() -> None:
    assert not offenders(CORE, ("broker.services",))


def test_core_modules_name_no_service() -> None:
    pattern = re.compile("|".join(SERVICE_IDS))
    named = [f"{p.relative_to(ROOT)}:{n}" for p in CORE
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not named


def test_the_core_is_covered() -> None:
    names = {p.name for p in CORE}
    assert {"hub.py", "accept.py", "router.py", "outbox.py", "audit.py", "classification.py", "base.py",
            "inline.py"} <= names


def test_services_are_registered_in_the_composition_root_only() -> None:
    """The shared doors find a service through the catalogue, never by importing it."""
    doors = files("adapters/inbound/soap/*.py", "adapters/inbound/rest/services.py", "adapters/wire/*.py",
                  "adapters/soap/*.py")
    assert not offenders(files("broker/**/*.py"), ("chipla",)) + offenders(doors, ("broker.services", "chipla"))

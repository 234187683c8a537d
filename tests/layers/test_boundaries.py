"""Imports point inward (DESIGN.md §2), read from the source with the AST for every layer:

    chipla (composition root) → adapters → broker → mappings → vocab
    conformance and procurement stand apart: the kit tests from the outside, the register is data.
"""

from __future__ import annotations

import pytest

from tests.layers.imports import files, offenders

OURS = ("vocab", "mappings", "broker", "adapters", "conformance", "procurement", "chipla", "simulators", "bench",
        "tests", "api_specs")

#: layer → the packages of ours it may import (itself always; api_specs is the contract, as data)
ALLOWED = {
    "vocab": (),
    "mappings": ("vocab",),
    "broker": ("vocab", "mappings"),
    "adapters": ("broker", "mappings", "vocab", "procurement"),
    "procurement": ("vocab",),
    "conformance": (),
    "api_specs": (),
}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_lies_inward(layer: str) -> None:
    forbidden = tuple(p for p in OURS if p not in (layer, "api_specs", *ALLOWED[layer]))
    assert not offenders(files(f"{layer}/**/*.py"), forbidden)


def test_nothing_but_the_entry_points_imports_the_composition_root() -> None:
    inner = [p for layer in ALLOWED for p in files(f"{layer}/**/*.py")]
    assert not offenders(inner, ("chipla", "simulators", "bench", "tests"))


def test_the_composition_root_keeps_only_wiring_config_app_and_cli() -> None:
    """Simulated systems, the console, the file door and the procurement register live in their rooms;
    the hub's own wiring never imports the simulators (the CLI starts them; the console's SOAP
    workbench borrows their sample data)."""
    wiring = files("chipla/wiring.py", "chipla/config.py", "chipla/services.py", "chipla/worker.py",
                   "chipla/registry_file.py")
    assert not offenders(wiring, ("simulators",))
    assert not [p for p in files("chipla/*.py") if p.stem in ("sandbox", "console", "conformance_selftest")]


def test_adapters_never_import_the_conformance_kit() -> None:
    assert not offenders(files("adapters/**/*.py"), ("conformance",))


def test_the_kit_never_imports_the_hub() -> None:
    assert not offenders(files("conformance/**/*.py"), ("broker", "adapters", "chipla", "procurement"))


def test_no_two_registries_share_a_name() -> None:
    """Systems, mapping specs and the procurement register are three different things."""
    import ast

    ours = [p for pkg in OURS if pkg != "tests" for p in files(f"{pkg}/**/*.py")]
    named = [f"{p}:{node.lineno}" for p in ours for node in ast.walk(ast.parse(p.read_text("utf-8")))
             if isinstance(node, ast.ClassDef) and node.name == "Registry"]
    assert not named

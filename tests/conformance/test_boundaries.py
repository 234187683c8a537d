"""The kit tests from the outside: it imports nothing of the hub except the api_specs data."""

from __future__ import annotations

import ast
from pathlib import Path

import conformance

FORBIDDEN = {"broker", "adapters", "mappings", "vocab", "chipla", "bench", "tests"}
PACKAGE = Path(conformance.__file__).parent


def test_kit_imports_only_api_specs_of_the_project() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert not offenders


def test_files_stay_small() -> None:
    big = [p.name for p in PACKAGE.rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > 400]
    assert not big


def test_no_private_key_in_the_package() -> None:
    assert not list(PACKAGE.rglob("*.key"))

"""Reading a package's imports from its source (AST), for the boundary tests of every layer."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> Iterator[str]:
    """Absolute module names a file imports (relative imports are resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            else:
                yield node.module or ""


def files(*globs: str) -> list[Path]:
    found = sorted({p for g in globs for p in ROOT.glob(g)})
    assert found, f"no files match {globs}"
    return found


def offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """``file: module`` for every import of a forbidden package (or module prefix)."""
    out = []
    for path in paths:
        for module in imported_modules(path):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                out.append(f"{path.relative_to(ROOT)}: {module}")
    return out

"""Field-level differences between two mapped outputs.

`chipla replay` runs a candidate mapping version over stored messages and prints what would change,
field by field, so an operator can see the effect of a new version before switching to it. Paths
are the same dotted paths lineage uses (``氏名.姓カナ表記``, ``住所.住所コード[1].識別値``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mappings.paths import leaves
from mappings.types import Mapped

#: marks a side on which the field does not exist (distinct from a field whose value is None)
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "<absent>"})()


@dataclass(frozen=True)
class FieldChange:
    """One output field that differs; `old` or `new` is ABSENT when the field was added or removed."""

    path: str
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        if self.old is ABSENT:
            return "added"
        if self.new is ABSENT:
            return "removed"
        return "changed"

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {self.new!r}"
        if self.kind == "removed":
            return f"- {self.path}: {self.old!r}"
        return f"~ {self.path}: {self.old!r} → {self.new!r}"


def compare(old: Mapped, new: Mapped) -> list[FieldChange]:
    """Every leaf field that was added, removed or changed from `old` to `new`, in path order."""
    before, after = leaves(old.output), leaves(new.output)
    changes = []
    for path in sorted(before.keys() | after.keys()):
        old_value, new_value = before.get(path, ABSENT), after.get(path, ABSENT)
        if old_value is ABSENT or new_value is ABSENT or old_value != new_value:
            changes.append(FieldChange(path, old_value, new_value))
    return changes


__all__ = ["ABSENT", "FieldChange", "compare"]

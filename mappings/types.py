"""Names shared across the package: the result of a mapping and its lineage entries.

The hub stores every derived form with the mapping version that made it and its lineage, so that
any output field can be traced back to the source fields and transforms that produced it; these
types are what `broker/` persists, hence the plain-dict `to_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mappings.errors import FieldError

Version = int | str


@dataclass(frozen=True)
class LineageEntry:
    """How one output field was made: from which source paths, through which transforms."""

    field: str
    sources: tuple[str, ...]
    transforms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "sources": list(self.sources), "transforms": list(self.transforms)}


@dataclass
class Mapped:
    """The output of one spec applied to one record.

    `errors` holds every field that could not be mapped; the output then lacks those fields, and a
    caller that needs a complete record checks `ok` before using it.
    """

    output: dict[str, Any]
    mapping_id: str
    mapping_version: Version
    lineage: list[LineageEntry] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lineage_of(self, output_path: str) -> LineageEntry | None:
        """The lineage entry of one output field, or None if the field was not produced."""
        for entry in self.lineage:
            if entry.field == output_path:
                return entry
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "mapping_id": self.mapping_id,
            "mapping_version": self.mapping_version,
            "lineage": [entry.to_dict() for entry in self.lineage],
            "errors": [error.to_dict() for error in self.errors],
        }


__all__ = ["LineageEntry", "Mapped", "Version"]

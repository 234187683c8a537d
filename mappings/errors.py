"""Errors of the mapping package.

Two kinds of failure are kept apart because they are answered differently:

    MappingError
     ├── MappingSpecError      a spec or layout file is wrong; the hub refuses to start, so the
     │                         message always names the file and the line to fix
     └── FixedWidthDecodeError bytes of a legacy file that the layout's encoding cannot decode; the
                               importer reports them with row and column rather than guessing

Bad *values* in a record are not exceptions at all: a transform raises `TransformError`, the engine
turns it into a `FieldError` and carries on, so an importer can report every bad field of a file in
one pass instead of one per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class MappingError(Exception):
    """Base of the package's exceptions."""


class MappingSpecError(MappingError):
    """A spec or layout cannot be used; raised while loading, never while mapping."""

    def __init__(self, file: str | Path, line: int | None, reason: str) -> None:
        self.file = str(file)
        self.line = line
        self.reason = reason
        where = f"{self.file}:{line}" if line is not None else self.file
        super().__init__(f"{where}: {reason}")


class TransformError(ValueError):
    """A transform cannot turn this value into its output; the message is shown to the sender."""


@dataclass(frozen=True)
class FieldError:
    """One value that could not be mapped.

    `path` is where the value came from (what the sender has to fix); `field` is the output it was
    meant for, so a report can be read from either side.
    """

    path: str
    value: Any
    reason: str
    field: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "value": self.value, "reason": self.reason, "field": self.field}


@dataclass(frozen=True)
class DecodeIssue:
    """Bytes of one column that the layout's encoding cannot decode.

    `row_no` counts records from 1; `offset` is the 0-based byte position within the record, so an
    operator can find the byte in a hex editor.
    """

    row_no: int
    column: str
    offset: int
    raw: bytes
    encoding: str
    reason: str = ""

    def __str__(self) -> str:
        what = self.reason or f"{self.raw.hex(' ')} is not valid {self.encoding}"
        return f"row {self.row_no}, column {self.column!r}, byte {self.offset}: {what}"


class FixedWidthDecodeError(MappingError):
    """Raised by the fixed-width reader when no error callback was given."""

    def __init__(self, issue: DecodeIssue) -> None:
        self.issue = issue
        super().__init__(str(issue))


__all__ = [
    "DecodeIssue",
    "FieldError",
    "FixedWidthDecodeError",
    "MappingError",
    "MappingSpecError",
    "TransformError",
]

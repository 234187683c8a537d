"""CSV layouts: a header described in YAML, and rows read and written in that column order.

File 連携 is the default for bulk flows (STANDARDS.md §3), so the header is part of the contract:
written files always carry every column in the declared order, and a file whose header differs is
refused before any row is mapped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from mappings.errors import MappingError
from mappings.marked_yaml import load_marked


class CsvHeaderError(MappingError):
    """The first row of a file is not the layout's header."""


@dataclass(frozen=True)
class CsvLayout:
    """A parsed CSV layout: its name, column names in order, and file encoding."""

    name: str
    columns: tuple[str, ...]
    encoding: str = "utf-8"
    file: str = "<memory>"

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.columns)

    def complete(self, row: Mapping[str, object]) -> dict[str, str]:
        """The row with every column, in header order; absent values are blank. Read only, so any
        mapping will do (rows read back from a file are ``dict[str, str]``)."""
        return {column: "" if row.get(column) is None else str(row[column]) for column in self.columns}


def load_layout(path: str | Path) -> CsvLayout:
    """Parse and check a CSV layout file (errors name file and line)."""
    doc = load_marked(path)
    if not isinstance(doc.data, dict) or doc.data.get("kind") != "csv":
        raise doc.error("not a CSV layout (`kind: csv` expected)", "kind")
    raw = doc.data.get("columns")
    if not isinstance(raw, list) or not raw:
        raise doc.error("a CSV layout needs a non-empty `columns` list", "columns")
    columns: list[str] = []
    for index, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name:
            raise doc.error("each column needs a `name`", "columns", index)
        if name in columns:
            raise doc.error(f"column {name!r} appears twice", "columns", index)
        columns.append(name)
    return CsvLayout(
        name=str(doc.data.get("name")),
        columns=tuple(columns),
        encoding=str(doc.data.get("encoding", "utf-8")),
        file=doc.file,
    )


def read_rows(text: str, layout: CsvLayout) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row_no, row) for each data row; row 1 is the first row after the header."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(header) != layout.columns:
        raise CsvHeaderError(header_mismatch(layout, header))
    for row_no, values in enumerate(reader, start=1):
        if len(values) != len(layout.columns):
            raise CsvHeaderError(
                f"row {row_no} has {len(values)} columns, the layout has {len(layout.columns)}"
            )
        yield row_no, dict(zip(layout.columns, values, strict=True))


def write_rows(rows: Iterable[Mapping[str, object]], layout: CsvLayout) -> str:
    """CSV text with the header and one line per row (CRLF, as csv.writer and Excel expect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(layout.columns)
    for row in rows:
        writer.writerow(layout.complete(row).values())
    return buffer.getvalue()


__all__ = ["CsvHeaderError", "CsvLayout", "load_layout", "read_rows", "write_rows"]


def header_mismatch(layout: CsvLayout, header: list[str] | None) -> str:
    """Name the first column that differs and list the whole expected header: the fix is then obvious."""
    expected = ",".join(layout.columns)
    if not header:
        return f"the file is empty; layout {layout.name} expects the header: {expected}"
    for index, name in enumerate(layout.columns):
        if index >= len(header) or header[index] != name:
            got = repr(header[index]) if index < len(header) else "nothing"
            return (f"header does not match layout {layout.name}: column {index + 1} should be {name!r}, "
                    f"found {got}; expected the header: {expected}")
    return (f"header does not match layout {layout.name}: {len(header) - len(layout.columns)} extra columns "
            f"after {layout.columns[-1]!r}; expected the header: {expected}")

"""Fixed-width legacy files: a layout described in YAML, and a reader that never guesses.

Host-system extracts are byte-positioned records in a Shift_JIS-family encoding. Each column is
decoded on its own, strictly: a byte the encoding does not define (or a double-byte character cut
by a column boundary, which means the layout is wrong) is reported with its row, column and byte
offset instead of being replaced, because a silently replaced character in a name is a wrong name
on a 住民票.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mappings.errors import DecodeIssue, FixedWidthDecodeError
from mappings.marked_yaml import MarkedDocument, load_marked

COLUMN_TYPES = ("text", "kana", "digits")
_BLANKS = " \u3000"


@dataclass(frozen=True)
class FixedWidthColumn:
    """One column: 0-based byte `start` and `width` in bytes."""

    name: str
    start: int
    width: int
    type: str = "text"

    @property
    def end(self) -> int:
        return self.start + self.width


@dataclass(frozen=True)
class FixedWidthLayout:
    """A parsed layout; `record_length` is the bytes of one record without its terminator."""

    name: str
    encoding: str
    columns: tuple[FixedWidthColumn, ...]
    record_length: int
    line_terminator: bytes | None
    file: str = "<memory>"

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(column.name for column in self.columns)


def _columns(doc: MarkedDocument) -> list[FixedWidthColumn]:
    raw = doc.data.get("columns")
    if not isinstance(raw, list) or not raw:
        raise doc.error("a fixed-width layout needs a non-empty `columns` list", "columns")
    columns: list[FixedWidthColumn] = []
    position = 0
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise doc.error("each column needs a `name`", "columns", index)
        width = item.get("width")
        if not isinstance(width, int) or width <= 0:
            raise doc.error(f"column {item['name']!r} needs a positive `width` in bytes", "columns", index)
        start = item.get("start")
        if start is not None:
            if not isinstance(start, int) or start < 1:
                raise doc.error(
                    f"column {item['name']!r}: `start` is a 1-based byte position", "columns", index
                )
            if start - 1 < position:
                raise doc.error(f"column {item['name']!r} overlaps the previous column", "columns", index)
            position = start - 1
        column_type = item.get("type", "text")
        if column_type not in COLUMN_TYPES:
            raise doc.error(
                f"column {item['name']!r}: unknown type {column_type!r} (known: {', '.join(COLUMN_TYPES)})",
                "columns",
                index,
                "type",
            )
        columns.append(FixedWidthColumn(item["name"], position, width, column_type))
        position += width
    return columns


def load_layout(path: str | Path) -> FixedWidthLayout:
    """Parse and check a layout file; a wrong layout fails here, with file and line."""
    doc = load_marked(path)
    if not isinstance(doc.data, dict) or doc.data.get("kind") != "fixed_width":
        raise doc.error("not a fixed-width layout (`kind: fixed_width` expected)", "kind")
    encoding = doc.data.get("encoding")
    try:
        "".encode(str(encoding))
    except LookupError as exc:
        raise doc.error(f"unknown encoding {encoding!r}", "encoding") from exc
    if not isinstance(encoding, str):
        raise doc.error("`encoding` names a Python codec, e.g. cp932", "encoding")
    columns = _columns(doc)
    length = max(column.end for column in columns)
    declared = doc.data.get("record_length", length)
    if declared != length:
        raise doc.error(f"record_length is {declared} but the columns end at byte {length}", "record_length")
    terminator = doc.data.get("line_terminator")
    return FixedWidthLayout(
        name=str(doc.data.get("name")),
        encoding=encoding,
        columns=tuple(columns),
        record_length=length,
        line_terminator=terminator.encode("ascii") if terminator else None,
        file=doc.file,
    )


def _records(data: bytes, layout: FixedWidthLayout) -> Iterator[bytes]:
    if layout.line_terminator:
        lines = data.split(layout.line_terminator)
        if lines and lines[-1] == b"":
            lines.pop()
        yield from lines
    else:
        for offset in range(0, len(data), layout.record_length):
            yield data[offset : offset + layout.record_length]


def _decode(
    record: bytes, row_no: int, layout: FixedWidthLayout
) -> tuple[dict[str, str], DecodeIssue | None]:
    row: dict[str, str] = {}
    if len(record) != layout.record_length:
        issue = DecodeIssue(
            row_no,
            "*",
            len(record),
            b"",
            layout.encoding,
            f"record is {len(record)} bytes, the layout needs {layout.record_length}",
        )
        return row, issue
    for column in layout.columns:
        raw = record[column.start : column.end]
        try:
            text = raw.decode(layout.encoding)
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : max(exc.end, exc.start + 1)]
            return row, DecodeIssue(row_no, column.name, column.start + exc.start, bad, layout.encoding)
        value = text.rstrip(_BLANKS)
        if column.type == "digits" and value and not (value.isascii() and value.isdigit()):
            return row, DecodeIssue(
                row_no, column.name, column.start, raw, layout.encoding, f"{value!r} is not ASCII digits"
            )
        row[column.name] = value
    return row, None


def read(
    source: str | Path | bytes,
    layout: FixedWidthLayout | str | Path,
    *,
    on_error: Callable[[DecodeIssue], Any] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row_no, {column: text}) for each record, row numbers counting from 1.

    Without `on_error` the first undecodable record raises FixedWidthDecodeError. With it, each
    issue is handed to the callback and that record is not yielded, so an importer can read the
    whole file and report (and quarantine) every bad record in one run.
    """
    if not isinstance(layout, FixedWidthLayout):
        layout = load_layout(layout)
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    for row_no, record in enumerate(_records(data, layout), start=1):
        row, issue = _decode(record, row_no, layout)
        if issue is None:
            yield row_no, row
        elif on_error is None:
            raise FixedWidthDecodeError(issue)
        else:
            on_error(issue)


__all__ = ["COLUMN_TYPES", "FixedWidthColumn", "FixedWidthLayout", "load_layout", "read"]

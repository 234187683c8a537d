"""Reading a GTFS-JP feed (a folder of ``.txt`` files or a zip) without changing anything: each file's
header, rows with their line numbers, and whether it had a BOM."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Feed", "FeedFile", "feed_of_files", "read_feed"]


@dataclass
class FeedFile:
    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line, row keyed by header name)
    bom: bool = False
    empty: bool = False  # 0 bytes: not even a header
    problems: list[str] = field(default_factory=list)  # rows that could not be read as CSV


@dataclass
class Feed:
    files: dict[str, FeedFile]

    def rows(self, name: str) -> list[tuple[int, dict[str, str]]]:
        return self.files[name].rows if name in self.files else []

    def column(self, name: str, column: str) -> set[str]:
        return {r[column] for _, r in self.rows(name) if r.get(column)}


def _read(name: str, data: bytes) -> FeedFile:
    if not data:
        return FeedFile(name, [], [], empty=True)
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return FeedFile(name, [], [], bom, problems=[f"{name}: UTF-8 ではありません (byte {exc.start})"])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return FeedFile(name, [], [], bom, empty=True)
    out = FeedFile(name, header, [], bom)
    line = reader.line_num + 1
    for row in reader:
        if row:
            if len(row) != len(header):
                out.problems.append(f"{name}:{line}: {len(row)} 列です (見出しは {len(header)} 列)")
            out.rows.append((line, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}))
        line = reader.line_num + 1
    return out


def read_feed(source: Path | bytes) -> Feed:
    files: dict[str, bytes] = {}
    if isinstance(source, bytes):
        with zipfile.ZipFile(io.BytesIO(source)) as z:
            for info in z.infolist():
                if info.filename.endswith(".txt") and "/" not in info.filename:
                    files[info.filename] = z.read(info)
    else:
        files = {p.name: p.read_bytes() for p in sorted(source.glob("*.txt"))}
    return feed_of_files(files)


def feed_of_files(files: Mapping[str, bytes]) -> Feed:
    """A feed from its files' bytes by name (e.g. a feed just built, without zipping it first)."""
    return Feed({name: _read(name, data) for name, data in files.items()})

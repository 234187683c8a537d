"""Reading a published 自治体標準オープンデータセット CSV (ours or another town's) against its template:
BOM and line ends tolerated, header matched by position with look-alike characters repaired, every row
checked for the header's field count and the required columns. Nothing is dropped silently: each
repair and each fault is reported with its line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from mappings.opendata.templates import Template, header_key, header_problems

__all__ = ["StandardTable", "read_standard"]


@dataclass
class StandardTable:
    template: Template
    header: list[str]
    rows: list[dict[str, str]]  # keyed by the template's column names
    repairs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_standard(data: bytes, tpl: Template, name: str = "") -> StandardTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return StandardTable(tpl, [], [], errors=[f"{name}: UTF-8 ではありません (byte {exc.start})"])
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines:
        return StandardTable(tpl, [], [], errors=[f"{name}:1: 見出し行がありません"])
    header = lines[0]
    table = StandardTable(tpl, header, [])
    for problem in header_problems(header, tpl):
        (table.repairs if "似た文字" in problem else table.errors).append(f"{name}:1: {problem}")
    same = len(header) == len(tpl.columns) and all(
        header_key(a) == header_key(b) for a, b in zip(header, tpl.columns, strict=True))
    for number, row in enumerate(lines[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            table.errors.append(f"{name}:{number}: {len(row)} 列です (見出しは {len(header)} 列)")
            continue
        record = dict(zip(tpl.columns if same else header, row, strict=False))
        # a flag column is required to be present; empty there means "no", ○ means "yes"
        missing = [c for c in tpl.required if not record.get(c) and c not in tpl.flags]
        if missing:
            table.errors.append(f"{name}:{number}: 必須の {', '.join(sorted(missing))} が空です")
        bad_flags = [c for c in tpl.flags if record.get(c, "") not in ("", "○")]
        if bad_flags:
            table.errors.append(f"{name}:{number}: {', '.join(bad_flags)} は ○ か空です")
        table.rows.append(record)
    return table

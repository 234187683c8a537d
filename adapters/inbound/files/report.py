"""The error report of an import: one CSV line per refused value, for the people who fix the source.

Columns ``row, column, value, reason``: ``row`` counts data rows from 1 (the CSV header is not a
row), ``column`` is the layout's column name — several names joined by ``, `` when a value is made
from more than one — or ``*`` for the whole row. UTF-8 with BOM and CRLF, so Excel opens it as is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from adapters.inbound.files.sources import RowProblem

HEADER = ("row", "column", "value", "reason")


def write_report(path: str | Path, problems: Iterable[RowProblem]) -> int:
    """Write the report (also when there is nothing to report: an empty report is an answer)."""
    count = 0
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for problem in sorted(problems, key=lambda p: p.row):
            writer.writerow((problem.row, problem.column, problem.value, problem.reason))
            count += 1
    return count


def read_report(path: str | Path) -> list[tuple[int, str, str, str]]:
    """The report's lines as (row, column, value, reason); for tests and tools that re-check a file."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or tuple(rows[0]) != HEADER:
        raise ValueError(f"{path} is not an import error report")
    return [(int(row), column, value, reason) for row, column, value, reason in rows[1:]]


__all__ = ["HEADER", "read_report", "write_report"]

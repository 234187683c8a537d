"""Reference pages written from the data the hub itself runs on, so they cannot drift from it.

``chipla reference write docs/reference`` regenerates them; a test fails when a committed page
differs from what the hub would write today.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from broker.result_codes import table
from mappings.csv_layout import CsvLayout
from mappings.layout_catalog import file_layouts
from vocab import codelists

GAIJI_TABLE = Path(codelists.__file__).resolve().parent / "data" / "town_gaiji_map.csv"
NOTE = "<!-- written by `chipla reference write docs/reference`; edit the data, not this page -->\n\n"


def result_codes() -> str:
    lines = [NOTE + "# 処理結果コード\n",
             "One table for SOAP (`c:ResultFault/c:code`, or `result/code` in a response) and REST "
             "(problem+json `code`). `retry`: may the same message succeed later unchanged.\n",
             "| code | name | 意味 | HTTP | faultcode | retry |", "|---|---|---|---|---|---|"]
    for rc in table().values():
        lines.append(f"| `{rc.code}` | {rc.name} | {rc.ja} | {rc.http} | {rc.faultcode or '—'} | "
                     f"{'yes' if rc.retry else 'no'} |")
    return "\n".join(lines) + "\n"


def code_lists() -> str:
    parts = [NOTE + "# Code lists\n", "Every coded field of a message must hold a code of its list (1004 otherwise). "
             "Sources are in `vocab/data/SOURCES.md`.\n"]
    for name in codelists.list_names():
        cl = codelists.load(name)
        parts.append(f"## `{name}` — {cl.title}\n")
        has_category = any(e.category for e in cl)
        parts.append("| code | label |" + (" category |" if has_category else ""))
        parts.append("|---|---|" + ("---|" if has_category else ""))
        for e in cl:
            parts.append(f"| `{e.code}` | {e.label} |" + (f" {e.category or ''} |" if has_category else ""))
        parts.append("")
    return "\n".join(parts)


def import_layouts() -> str:
    parts = [NOTE + "# Import layouts\n", "`chipla import FILE --layout NAME` reads these (docs/import.md). "
             "A CSV file's first row must be exactly the header below, in this order.\n"]
    for name, layout in sorted(file_layouts().items()):
        if isinstance(layout, CsvLayout):
            parts.append(f"## `{name}` (CSV, {layout.encoding})\n")
            parts.append("Header row:\n\n```text\n" + ",".join(layout.columns) + "\n```\n")
        else:
            parts.append(f"## `{name}` (fixed width, {layout.encoding}, {layout.record_length} bytes a record)\n")
            parts.append("| column | bytes | width | type |")
            parts.append("|---|---|---|---|")
            for c in layout.columns:
                parts.append(f"| {c.name} | {c.start + 1}–{c.end} | {c.width} | {c.type} |")
            parts.append("")
    return "\n".join(parts)


def gaiji_table() -> str:
    parts = [NOTE + "# The town's 外字 table\n", "Private-use characters of the town's legacy systems and what "
             "the import writes instead (`vocab/data/town_gaiji_map.csv`; a 外字 not in this table refuses "
             "its row, naming row and column).\n",
             "| 外字 | MJ文字図形名 | UCS | IVS | note |", "|---|---|---|---|---|"]
    with GAIJI_TABLE.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            parts.append(f"| {row['vendor_code']} | {row['mj_name'] or '—'} | {row['ucs']} | {row['ivs'] or '—'} | "
                         f"{row['note']} |")
    return "\n".join(parts) + "\n"


PAGES: dict[str, Callable[[], str]] = {
    "result-codes.md": result_codes,
    "code-lists.md": code_lists,
    "import-layouts.md": import_layouts,
    "gaiji.md": gaiji_table,
}


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, page in PAGES.items():
        path = folder / name
        path.write_text(page(), encoding="utf-8")
        written.append(path)
    return written

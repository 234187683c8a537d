"""``chipla bench soap --record FILE``: one row per run in the results table of docs/benchmarks.md.

The table sits under a fixed heading, newest row first, each row naming the commit it measured, so the
numbers of a change stay beside the change.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench.soap_bench import Report, layout

HEADING = "### `chipla bench soap` results per commit"
COLUMNS = ("date (UTC)", "commit", "store", "layout", "subscribers", "hub msg/s", "hub p50 / p99 ms",
           "raw msg/s", "raw p50 / p99 ms", "ratio", "deliveries/s", "drained after s", "hub / raw CPU ms per msg",
           "load 1 min")


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def row(r: Report, at: str | None = None, revision: str | None = None) -> str:
    cells = [at or time.strftime("%Y-%m-%d %H:%M", time.gmtime()), revision or commit(), r.db, layout(r),
             str(r.subscribers), f"{r.hub.rate:,.0f}", f"{r.hub.p50:.0f} / {r.hub.p99:.0f}",
             f"{r.raw.rate:,.0f}", f"{r.raw.p50:.0f} / {r.raw.p99:.0f}", f"{r.ratio:.2f}",
             f"{r.deliveries_per_s:,.0f}" if r.subscribers else "—",
             f"{r.drain_after_s:.1f}" if r.subscribers else "—",
             f"{r.hub_cpu_ms_per_msg:.2f} / {r.raw_cpu_ms_per_msg:.2f}", f"{r.load_before[0]:.2f}"]
    return "| " + " | ".join(cells) + " |"


def record(path: Path, line: str) -> None:
    """Insert ``line`` as the newest row of the table (made under its heading at the end if missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    header = "| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS) + "\n"
    if HEADING not in text:
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{header}"
    start = text.index(HEADING)
    table = text.index(header, start) + len(header)
    path.write_text(text[:table] + line + "\n" + text[table:], encoding="utf-8")

"""The benchmark tooling a user meets: a missing wrk is explained, results land in the table in order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench import results_table, wrk_load
from bench.soap_bench import Report

WRK_REPORT = """Running 10s test @ http://127.0.0.1:1/soap/jumin
  2 threads and 32 connections
  Latency Distribution
     50%   12.50ms
     75%   20.00ms
     90%   30.00ms
     99%    1.20s
  15012 requests in 10.00s, 9.10MB read
  Non-2xx or 3xx responses: 12
Requests/sec:   1501.20
"""


def test_bench_soap_without_wrk_says_how_to_get_it(tmp_path: Path) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(bare)}
    done = subprocess.run([sys.executable, "-m", "chipla.cli", "bench", "soap", "--seconds", "1"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "wrk" in done.stderr and "make bench" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrk_report_is_read_with_errors_and_units() -> None:
    load = wrk_load.parse("hub", WRK_REPORT, 10.0)
    assert (load.requests, load.errors, load.accepted) == (15012, 12, 15000)
    assert load.p50 == 12.5 and load.p99 == 1200.0
    assert load.rate == 1500.0


def _report(hub_rate: int) -> Report:
    hub = wrk_load.Load("hub", hub_rate * 10, 0, 10.0, 20.0, 45.0)
    raw = wrk_load.Load("raw", 20000, 0, 10.0, 10.0, 30.0)
    return Report(32, 10.0, 1, False, "sqlite", 3, hub, raw, hub_rate * 30, 900.0, 1.5,
                  (1.0, 1.0, 1.0), (2.0, 1.0, 1.0))


def test_results_go_in_newest_first_under_the_heading(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nprose stays\n", encoding="utf-8")
    results_table.record(doc, results_table.row(_report(700), at="2026-01-01 00:00", revision="aaaa"))
    results_table.record(doc, results_table.row(_report(1600), at="2026-01-02 00:00", revision="bbbb"))
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nprose stays\n")
    rows = [line for line in text.splitlines() if line.startswith("| 2026")]
    assert [r.split(" | ")[1] for r in rows] == ["bbbb", "aaaa"]
    assert "| 1,600 | 20 / 45 | 2,000 | 10 / 30 | 0.80 |" in rows[0]

"""Load from ``wrk`` (C, two threads): a Python client would be the bottleneck on two cores.

``wrk`` is a system tool, not a Python package: ``make bench`` installs it (scripts/bench-deps.sh);
without it the benchmark stops with that advice instead of a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = ("the SOAP benchmark drives its load with wrk, which is not installed: run `make bench` "
                "(it installs wrk with scripts/bench-deps.sh) or `apt-get install wrk`")


class WrkMissing(RuntimeError):
    """``wrk`` is not on PATH."""


@dataclass
class Load:
    name: str
    requests: int
    errors: int
    seconds: float
    p50: float = float("nan")
    p99: float = float("nan")

    @property
    def accepted(self) -> int:
        return self.requests - self.errors

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissing(INSTALL_HINT)
    return found


def drive(url: str, docs_file: Path, clients: int, seconds: float, name: str, threads: int = 2) -> Load:
    """Post each document of ``docs_file`` once (``wrk_docs.lua``) for ``seconds``; keep wrk's report."""
    env = {**os.environ, "CHIPLA_BENCH_DOCS": str(docs_file), "CHIPLA_BENCH_THREADS": str(threads)}
    out = subprocess.run(
        [require_wrk(), "-t", str(threads), "-c", str(clients), "-d", f"{seconds:.0f}s", "--latency",
         "--timeout", "30s", "-s", str(Path(__file__).with_name("wrk_docs.lua")), url],
        capture_output=True, text=True, env=env, check=True,
    ).stdout
    (docs_file.parent / f"wrk-{name}.txt").write_text(out, encoding="utf-8")
    return parse(name, out, seconds)


def _ms(value: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if found is None:
        return float("nan")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse(name: str, out: str, seconds: float) -> Load:
    """Read wrk's ``--latency`` report: total requests, non-2xx answers, the 50th and 99th percentile."""
    pct = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M)}
    total = re.search(r"(\d+) requests in", out)
    if total is None:
        raise RuntimeError(f"wrk printed no request count:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(name, int(total.group(1)), int(bad.group(1)) if bad else 0, seconds,
                p50=pct.get("50", float("nan")), p99=pct.get("99", float("nan")))

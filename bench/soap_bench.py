"""``chipla bench soap``: N concurrent SOAP clients send 住民異動通知 for a fixed time.

Prints accepted msg/s, p50/p99 accept latency and delivered msg/s to three subscribers, and, in the
same run, the same documents through the raw baseline (``bench.raw_baseline``) with the ratio hub/raw.
Hub, receivers and baseline each run in their own process, as they would in production.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import func, select

from bench.soap_receivers_process import RECEIVERS
from broker.models import Delivery
from broker.store import Store
from simulators.handmade import raw_soap
from simulators.loopback import free_port
from simulators.samples import SampleTown, header
from simulators.sandbox import LG

JUKI_PASSWORD = "juki-bench-secret"


@dataclass
class Result:
    name: str
    accepted: int
    errors: int
    seconds: float
    latencies: list[float]
    p50: float = float("nan")
    p99: float = float("nan")

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds


def documents(n: int) -> list[bytes]:
    """Distinct residents (no ordering constraint between them), each with a fresh token."""
    town = SampleTown(seed=2026)
    return [raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": town.tennyu()},
                     "juki", JUKI_PASSWORD) for _ in range(n)]


def _drive(url: str, docs_file: Path, clients: int, seconds: float, name: str, threads: int = 2) -> Result:
    """Load from wrk (C, two threads): a Python client would be the bottleneck on two cores."""
    env = {**os.environ, "CHIPLA_BENCH_DOCS": str(docs_file), "CHIPLA_BENCH_THREADS": str(threads)}
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds:.0f}s", "--latency", "--timeout", "30s",
         "-s", str(Path(__file__).with_name("wrk_docs.lua")), url],
        capture_output=True, text=True, env=env, check=True,
    ).stdout
    (docs_file.parent / f"wrk-{name}.txt").write_text(out, encoding="utf-8")
    return _parse_wrk(name, out, seconds)


def _parse_wrk(name: str, out: str, seconds: float) -> Result:
    def ms(value: str) -> float:
        found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
        if found is None:
            return float("nan")
        number, unit = found.groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    pct = {m.group(1): ms(m.group(2)) for m in re.finditer(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M)}
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    return Result(name, total - errors, errors, seconds, [], p50=pct.get("50", float("nan")),
                  p99=pct.get("99", float("nan")))


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def _registry(tmp: Path, ports: list[int]) -> Path:
    systems: list[dict[str, Any]] = [{"id": "juki", "lgCode": LG, "wssUsername": "juki", "wssPassword": JUKI_PASSWORD,
                "allow": ["jumin/IdoTsuchi"]}]
    for (rid, kind), port in zip(RECEIVERS, ports, strict=True):
        endpoint = f"http://127.0.0.1:{port}/soap/jumin" if kind == "soap" else f"http://127.0.0.1:{port}/webhook"
        systems.append({"id": rid, "lgCode": LG, "wssUsername": f"{rid}-hub", "wssPassword": f"{rid}-bench-secret",
                        "deliveryKind": kind, "endpointUrl": endpoint, "bangoRiyo": rid == "kokuho"})
    subs = [{"systemId": rid, "service": "jumin", "operation": "IdoTsuchi"} for rid, _ in RECEIVERS]
    path = tmp / "registry.yaml"
    path.write_text(yaml.safe_dump({"systems": systems, "subscriptions": subs}, allow_unicode=True), encoding="utf-8")
    return path


def run(clients: int = 32, seconds: float = 10.0, docs_per_run: int = 0, workers: int = 1,
        split: bool = False) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="chipla-bench-"))
    py = sys.executable
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    n = docs_per_run or int(seconds * 2500)
    print(f"building {n} signed 住民異動通知 documents …", flush=True)
    docs_file = tmp / "docs.bin"
    docs_file.write_bytes(b"\f".join(documents(n)))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        rports = [free_port() for _ in RECEIVERS]
        procs.append(subprocess.Popen([py, "-m", "bench.soap_receivers_process", *map(str, rports)], env=env))
        for rport in rports:
            _wait_up(f"http://127.0.0.1:{rport}/inbox", procs[-1])
        hub_db = f"sqlite:///{tmp / 'hub.db'}"
        hub_port = free_port()
        hub_env = {**env, "CHIPLA_DB_URL": hub_db, "CHIPLA_REGISTRY_FILE": str(_registry(tmp, rports)),
                   "CHIPLA_RETRY_BASE_SECONDS": "0.5", "CHIPLA_MQTT_URL": "off"}
        if split:
            hub_env["CHIPLA_DISPATCHER"] = "external"
            procs.append(subprocess.Popen([py, "-m", "chipla.cli", "dispatch"], env=hub_env,
                                          stdout=subprocess.DEVNULL))
        procs.append(subprocess.Popen([py, "-m", "chipla.cli", "serve", "--port", str(hub_port),
                                       "--workers", str(workers)], env=hub_env))
        _wait_up(f"http://127.0.0.1:{hub_port}/healthz", procs[-1])
        hub = _drive(f"http://127.0.0.1:{hub_port}/soap/jumin", docs_file, clients, seconds, "hub")
        window_end = time.monotonic()
        store = Store(hub_db)
        with store.read() as s:
            delivered_in_window = s.execute(select(func.count()).select_from(Delivery)
                                            .where(Delivery.status == "delivered")).scalar_one()
        drain_start = time.monotonic()
        total = hub.accepted * len(RECEIVERS)
        while delivered_in_window < total and time.monotonic() - drain_start < 120:
            time.sleep(0.5)
            with store.read() as s:
                delivered_in_window = s.execute(select(func.count()).select_from(Delivery)
                                                .where(Delivery.status == "delivered")).scalar_one()
        drained = time.monotonic() - window_end
        store.dispose()
        for proc in procs[1:]:
            proc.terminate()
            proc.wait(10)

        raw_port = free_port()
        procs.append(subprocess.Popen([py, "-m", "bench.raw_baseline", str(tmp / "raw.db"), str(raw_port)], env=env))
        _wait_up(f"http://127.0.0.1:{raw_port}/", procs[-1])
        raw = _drive(f"http://127.0.0.1:{raw_port}/soap/jumin", docs_file, clients, seconds, "raw")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
    deliveries_per_s = total / (hub.seconds + drained) if total else 0.0
    report: dict[str, Any] = {
        "clients": clients, "seconds": seconds, "workers": workers, "split": split,
        "hub_accepted_per_s": hub.rate, "hub_p50_ms": hub.p50, "hub_p99_ms": hub.p99,
        "hub_errors": hub.errors, "hub_delivered_per_s": deliveries_per_s,
        "hub_drain_after_s": drained,
        "raw_accepted_per_s": raw.rate, "raw_p50_ms": raw.p50, "raw_p99_ms": raw.p99,
        "ratio_hub_over_raw": hub.rate / raw.rate if raw.rate else float("nan"),
    }
    _print(report)
    return report


def _print(r: dict[str, Any]) -> None:
    delivering = "a separate delivering process" if r["split"] else "delivering in-process"
    print(f"\nchipla bench soap — {r['clients']} clients, {r['seconds']:.0f} s, {r['workers']} hub process(es), "
          f"{delivering}, SQLite (WAL, synchronous=FULL)")
    print(f"  hub : {r['hub_accepted_per_s']:8.0f} accepted msg/s   p50 {r['hub_p50_ms']:6.1f} ms   "
          f"p99 {r['hub_p99_ms']:6.1f} ms   errors {r['hub_errors']}")
    print(f"        {r['hub_delivered_per_s']:8.0f} deliveries/s to 3 subscribers "
          f"(all delivered {r['hub_drain_after_s']:.1f} s after the senders stopped)")
    print(f"  raw : {r['raw_accepted_per_s']:8.0f} accepted msg/s   p50 {r['raw_p50_ms']:6.1f} ms   "
          f"p99 {r['raw_p99_ms']:6.1f} ms")
    print(f"  ratio hub/raw: {r['ratio_hub_over_raw']:.2f}")

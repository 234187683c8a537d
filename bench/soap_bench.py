"""``chipla bench soap``: N concurrent SOAP clients send 住民異動通知 for a fixed time.

Prints accepted msg/s, p50/p99 accept latency, deliveries/s to the subscribers and how long after the
load the last delivery landed, and, in the same run, the same documents through the raw baseline
(``bench.raw_baseline``) with the ratio hub/raw. Hub, receivers and baseline each run in their own
process, as they would in production. ``db="postgresql"`` runs hub and baseline on a throw-away
PostgreSQL cluster (durable commits); ``subscribers=False`` isolates the accept path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import func, select

from bench import cpu_time
from bench.soap_receivers_process import RECEIVERS
from bench.wrk_load import Load, drive, require_wrk
from broker.models import Delivery, DeliveryStatus
from broker.store import Store
from chipla.config import Settings
from simulators.handmade import raw_soap
from simulators.loopback import free_port
from simulators.samples import SampleTown, header
from simulators.sandbox import LG
from simulators.throwaway_postgres import ThrowawayPostgres

JUKI_PASSWORD = "juki-bench-secret"
DRAIN_LIMIT_SECONDS = 120.0


@dataclass
class Report:
    clients: int
    seconds: float
    workers: int
    split: bool
    db: str
    subscribers: int
    hub: Load
    raw: Load
    delivered: int
    deliveries_per_s: float
    drain_after_s: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    hub_cpu_s: float = float("nan")  # CPU seconds of the hub's processes over load and drain
    raw_cpu_s: float = float("nan")
    receivers_cpu_s: float = float("nan")  # CPU seconds of the simulated subscribers (their own cost)
    dispatcher: str = "inline"  # the hub's effective CHIPLA_DISPATCHER
    delivering_cpu_s: float = 0.0  # the part of hub_cpu_s spent in a `chipla dispatch` process

    @property
    def hub_cpu_ms_per_msg(self) -> float:
        return 1000 * self.hub_cpu_s / self.hub.accepted if self.hub.accepted else float("nan")

    @property
    def raw_cpu_ms_per_msg(self) -> float:
        return 1000 * self.raw_cpu_s / self.raw.accepted if self.raw.accepted else float("nan")

    @property
    def ratio(self) -> float:
        return self.hub.rate / self.raw.rate if self.raw.rate else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio_hub_over_raw": self.ratio}


def documents(n: int) -> list[bytes]:
    """Distinct residents (no ordering constraint between them), each with a fresh token."""
    town = SampleTown(seed=2026)
    return [raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": town.tennyu()},
                     "juki", JUKI_PASSWORD) for _ in range(n)]


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


def _wait_settled(pids: list[int], window: float = 0.5, busy: float = 0.15, limit: float = 90.0) -> None:
    """Wait until the hub's processes are done starting: a dispatch process builds its parts while the
    server already answers, and that start-up is no part of the CPU a message costs. Settled is a
    ``window`` in which they used less than ``busy`` of a core (idle polling only)."""
    deadline = time.monotonic() + limit
    used = sum(cpu_time.tree_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(window)
        now_used = sum(cpu_time.tree_seconds(pid) for pid in pids)
        if now_used - used < busy * window:
            return
        used = now_used


def _registry(tmp: Path, ports: list[int]) -> Path:
    systems: list[dict[str, Any]] = [{"id": "juki", "lgCode": LG, "wssUsername": "juki", "wssPassword": JUKI_PASSWORD,
                "allow": ["jumin/IdoTsuchi"]}]
    for (rid, kind), port in zip(RECEIVERS, ports, strict=False):
        endpoint = f"http://127.0.0.1:{port}/soap/jumin" if kind == "soap" else f"http://127.0.0.1:{port}/webhook"
        systems.append({"id": rid, "lgCode": LG, "wssUsername": f"{rid}-hub", "wssPassword": f"{rid}-bench-secret",
                        "deliveryKind": kind, "endpointUrl": endpoint, "bangoRiyo": rid == "kokuho"})
    subs = [{"systemId": rid, "service": "jumin", "operation": "IdoTsuchi"} for (rid, _), _ in zip(RECEIVERS, ports,
                                                                                                  strict=False)]
    path = tmp / "registry.yaml"
    path.write_text(yaml.safe_dump({"systems": systems, "subscriptions": subs}, allow_unicode=True), encoding="utf-8")
    return path


def _delivered(store: Store) -> int:
    with store.read() as s:
        return int(s.execute(select(func.count()).select_from(Delivery)
                             .where(Delivery.status == DeliveryStatus.DELIVERED)).scalar_one())


def _drain(hub_db: str, total: int) -> tuple[int, float]:
    """Wait until every delivery of the accepted messages landed; seconds after the load stopped."""
    stopped = time.monotonic()
    store = Store(hub_db)
    try:
        delivered = _delivered(store)
        while delivered < total and time.monotonic() - stopped < DRAIN_LIMIT_SECONDS:
            time.sleep(0.2)
            delivered = _delivered(store)
    finally:
        store.dispose()
    return delivered, (time.monotonic() - stopped) if total else 0.0


def run(clients: int = 32, seconds: float = 10.0, docs_per_run: int = 0, workers: int = 1,
        split: bool = False, db: str = "sqlite", subscribers: bool = True, dispatcher: str = "") -> Report:
    require_wrk()  # before anything is started: a missing tool is said plainly
    tmp = Path(tempfile.mkdtemp(prefix="chipla-bench-"))
    py = sys.executable
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    n = docs_per_run or int(seconds * 3000)
    print(f"building {n} signed 住民異動通知 documents …", flush=True)
    docs_file = tmp / "docs.bin"
    docs_file.write_bytes(b"\f".join(documents(n)))
    procs: list[subprocess.Popen[bytes]] = []
    pg = ThrowawayPostgres(durable=True).start() if db == "postgresql" else None
    load_before = os.getloadavg()
    try:
        hub_db = pg.new_database() if pg else f"sqlite:///{tmp / 'hub.db'}"
        rports = [free_port() for _ in RECEIVERS] if subscribers else []
        if rports:
            procs.append(subprocess.Popen([py, "-m", "bench.soap_receivers_process", *map(str, rports)], env=env))
            for rport in rports:
                _wait_up(f"http://127.0.0.1:{rport}/inbox", procs[-1])
        hub_port = free_port()
        hub_env = {**env, "CHIPLA_DB_URL": hub_db, "CHIPLA_REGISTRY_FILE": str(_registry(tmp, rports)),
                   "CHIPLA_RETRY_BASE_SECONDS": "0.5", "CHIPLA_MQTT_URL": "off"}
        if dispatcher:
            hub_env["CHIPLA_DISPATCHER"] = dispatcher
        if split:
            hub_env["CHIPLA_DISPATCHER"] = "external"
            procs.append(subprocess.Popen([py, "-m", "chipla.cli", "dispatch"], env=hub_env,
                                          stdout=subprocess.DEVNULL))
        procs.append(subprocess.Popen([py, "-m", "chipla.cli", "serve", "--port", str(hub_port),
                                       "--workers", str(workers)], env=hub_env))
        _wait_up(f"http://127.0.0.1:{hub_port}/healthz", procs[-1])
        hub_pids = [p.pid for p in procs[1 if rports else 0:]]
        _wait_settled(hub_pids)
        cpu_before = sum(cpu_time.tree_seconds(pid) for pid in hub_pids)
        delivering_before = sum(cpu_time.delivering_seconds(pid) for pid in hub_pids)
        receivers_before = cpu_time.tree_seconds(procs[0].pid) if rports else 0.0
        hub = drive(f"http://127.0.0.1:{hub_port}/soap/jumin", docs_file, clients, seconds, "hub")
        total = hub.accepted * len(rports)
        delivered, drained = _drain(hub_db, total)
        hub_cpu = sum(cpu_time.tree_seconds(pid) for pid in hub_pids) - cpu_before
        delivering_cpu = sum(cpu_time.delivering_seconds(pid) for pid in hub_pids) - delivering_before
        receivers_cpu = cpu_time.tree_seconds(procs[0].pid) - receivers_before if rports else 0.0
        for proc in procs:
            proc.terminate()
            proc.wait(15)
        procs.clear()

        raw_port = free_port()
        raw_db = pg.new_database() if pg else str(tmp / "raw.db")
        procs.append(subprocess.Popen([py, "-m", "bench.raw_baseline", raw_db, str(raw_port)], env=env))
        _wait_up(f"http://127.0.0.1:{raw_port}/", procs[-1])
        cpu_before = cpu_time.tree_seconds(procs[-1].pid)
        raw = drive(f"http://127.0.0.1:{raw_port}/soap/jumin", docs_file, clients, seconds, "raw")
        raw_cpu = cpu_time.tree_seconds(procs[-1].pid) - cpu_before
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(15)
        if pg is not None:
            pg.stop()
    report = Report(clients, seconds, workers, split, db, len(rports), hub, raw, delivered,
                    total / (hub.seconds + drained) if total else 0.0, drained, load_before, os.getloadavg(),
                    hub_cpu, raw_cpu, receivers_cpu, _effective(dispatcher, workers, split), delivering_cpu)
    print(render(report))
    return report


def _split_of(r: Report) -> str:
    if not r.delivering_cpu_s or not r.hub.accepted:
        return ""
    accepting = 1000 * (r.hub_cpu_s - r.delivering_cpu_s) / r.hub.accepted
    delivering = 1000 * r.delivering_cpu_s / r.hub.accepted
    return f"; accepting {accepting:.2f} ms, delivering and deriving {delivering:.2f} ms"


def _effective(dispatcher: str, workers: int, split: bool) -> str:
    if split:
        return "external"
    chosen = dispatcher or Settings().dispatcher
    return "process" if chosen == "auto" or (chosen == "inline" and workers > 1) else chosen


def layout(r: Report) -> str:
    delivering = {"external": "a separate `chipla dispatch`", "process": "a dispatch process beside it",
                  "inline": "delivering in-process"}.get(r.dispatcher, r.dispatcher)
    return f"{r.workers} hub process(es), {delivering}"


def render(r: Report) -> str:
    store = "SQLite (WAL, synchronous=FULL)" if r.db == "sqlite" else "PostgreSQL (throw-away, durable commits)"
    lines = [f"\nchipla bench soap — {r.clients} clients, {r.seconds:.0f} s, {layout(r)}, {store}",
             f"  hub : {r.hub.rate:8.0f} accepted msg/s   p50 {r.hub.p50:6.1f} ms   p99 {r.hub.p99:6.1f} ms   "
             f"errors {r.hub.errors}"]
    if r.subscribers:
        complete = "all" if r.delivered >= r.hub.accepted * r.subscribers else f"only {r.delivered}"
        lines.append(f"        {r.deliveries_per_s:8.0f} deliveries/s to {r.subscribers} subscribers "
                     f"({complete} delivered {r.drain_after_s:.1f} s after the senders stopped)")
    else:
        lines.append("        no subscribers (accept path only)")
    lines += [f"  raw : {r.raw.rate:8.0f} accepted msg/s   p50 {r.raw.p50:6.1f} ms   p99 {r.raw.p99:6.1f} ms",
              f"  ratio hub/raw: {r.ratio:.2f}",
              f"  CPU per accepted message: hub {r.hub_cpu_ms_per_msg:.2f} ms (all its processes, load and "
              f"drain{_split_of(r)}), raw {r.raw_cpu_ms_per_msg:.2f} ms"
              + (f", the simulated subscribers {1000 * r.receivers_cpu_s / r.hub.accepted:.2f} ms"
                 if r.subscribers and r.hub.accepted else ""),
              "  machine load (1/5/15 min): before " + " ".join(f"{x:.2f}" for x in r.load_before)
              + ", after " + " ".join(f"{x:.2f}" for x in r.load_after)]
    return "\n".join(lines)

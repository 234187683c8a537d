"""The scaled-out topology on loopback: PostgreSQL, a Celery broker, ``chipla serve --workers N`` and
M ``chipla worker`` processes, with the three simulated receivers — all real processes, started and
stopped here. ``chipla bench soap --topology scaled`` measures it beside one SQLite process in the
same run; the fault tests (tests/test_scaled_faults.py) break it under load.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench import soap_bench
from bench.soap_receivers_process import RECEIVERS
from bench.wrk_load import drive
from broker.models import Delivery, DeliveryStatus
from broker.store import Store
from simulators.loopback import free_port
from simulators.servers import RabbitServer, RedisServer, ThrowawayPostgres

ROOT = Path(__file__).resolve().parents[1]
BROKERS = ("redis", "rabbitmq")
READY = " ready."  # Celery's line once a worker consumes


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (uvicorn's worker processes under ``serve --workers``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


class ScaledTopology:
    def __init__(self, *, broker: str = "redis", hub_processes: int = 2, workers: int = 2,
                 worker_concurrency: int = 8, lease_seconds: float = 60.0, root: Path | None = None,
                 env: dict[str, str] | None = None, dispatcher: str = "celery") -> None:
        if broker not in BROKERS:
            raise ValueError(f"broker must be one of {', '.join(BROKERS)}")
        self.dispatcher = dispatcher  # celery, or inline (PostgreSQL with one process delivering itself)
        self.broker_kind = broker
        self.hub_processes = hub_processes
        self.worker_count = workers
        self.worker_concurrency = worker_concurrency
        self.lease_seconds = lease_seconds
        self.root = root or Path(tempfile.mkdtemp(prefix="chipla-scaled-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.extra_env = env or {}
        self.pg = ThrowawayPostgres()
        self.broker: RedisServer | RabbitServer = RedisServer() if broker == "redis" else RabbitServer()
        self.receivers: subprocess.Popen[bytes] | None = None
        self.receiver_ports: list[int] = []
        self.hub: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes] | None] = []
        self.port = free_port()
        self.db_url = ""
        self._store: Store | None = None
        self.worker_restarts = 0  # workers that ended by themselves and were started again
        self._ready_lines: dict[int, int] = {}  # "ready." lines in each worker's log before its last start
        self._watching = threading.Event()
        self._watchdog = threading.Thread(target=self._watch_workers, name="worker-supervisor", daemon=True)

    # -- life ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(ROOT), "CHIPLA_DB_URL": self.db_url,
                "CHIPLA_DISPATCHER": self.dispatcher,
                "CHIPLA_BROKER_URL": self.broker.url if self.dispatcher == "celery" else "",
                "CHIPLA_REGISTRY_FILE": str(self.root / "registry.yaml"), "CHIPLA_MQTT_URL": "off",
                "CHIPLA_LEASE_SECONDS": str(self.lease_seconds), "CHIPLA_RETRY_BASE_SECONDS": "0.5",
                "CHIPLA_RETRY_MAX_ATTEMPTS": "40", "CHIPLA_MAIL_FOLDER": str(self.root / "mail"),
                **self.extra_env}

    def start(self) -> ScaledTopology:
        self.pg.start(max_connections=300)
        self.db_url = self.pg.new_database()
        if self.dispatcher == "celery":
            self.broker.start()
        else:
            self.worker_count = 0
        self.receiver_ports = [free_port() for _ in RECEIVERS]
        self.receivers = subprocess.Popen([sys.executable, "-m", "bench.soap_receivers_process",
                                           *map(str, self.receiver_ports)], env=self.env, cwd=ROOT)
        for port in self.receiver_ports:
            soap_bench._wait_up(f"http://127.0.0.1:{port}/inbox", self.receivers)
        soap_bench._registry(self.root, self.receiver_ports)
        self.start_hub()
        self.workers = [None] * self.worker_count
        for i in range(self.worker_count):
            self.start_worker(i)
        self.wait_ready(90)
        self._wait_hub_processes(60)
        for i in range(self.worker_count):
            self.wait_worker_ready(i, 90)
        self._watching.set()
        self._watchdog.start()
        return self

    def _watch_workers(self) -> None:
        """Restart a worker that ended by itself, as its service manager would (systemd Restart=always).
        A broker restart should end none (chipla/worker.py); the fault tests count the restarts."""
        while self._watching.is_set():
            for i, proc in enumerate(self.workers):
                if proc is not None and proc.poll() is not None and self._watching.is_set():
                    self.worker_restarts += 1
                    self.start_worker(i)
            time.sleep(0.5)

    def start_hub(self) -> None:
        with (self.root / "hub.log").open("ab") as out:
            self.hub = subprocess.Popen([sys.executable, "-m", "chipla.cli", "serve", "--port", str(self.port),
                                         "--workers", str(self.hub_processes)], env=self.env, cwd=ROOT,
                                        stdout=out, stderr=subprocess.STDOUT)
        soap_bench._wait_up(f"{self.url}/healthz", self.hub)

    def _wait_hub_processes(self, timeout: float) -> None:
        """All of uvicorn's hub processes up: /readyz answers as soon as one is, and a process that
        failed at start (two processes loading the registry file at once) is replaced by uvicorn."""
        if self.hub_processes < 2:
            return  # one process: uvicorn serves in its own process, no children to count
        deadline = time.monotonic() + timeout
        while len(self.hub_processes_running()) < self.hub_processes:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.hub_processes} hub processes not running within {timeout:.0f} s")
            time.sleep(0.2)

    def start_worker(self, i: int) -> None:
        self._ready_lines[i] = self.worker_log(i).count(READY)
        with (self.root / f"worker-{i}.log").open("ab") as out:
            self.workers[i] = subprocess.Popen(
                [sys.executable, "-m", "chipla.cli", "worker", "--concurrency", str(self.worker_concurrency)],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        self._watching.clear()
        procs = [p for p in (self.hub, *self.workers, self.receivers) if p is not None]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        if self._store is not None:
            self._store.dispose()
        if self.dispatcher == "celery":
            self.broker.stop()
        self.pg.stop()

    # -- faults ------------------------------------------------------------------------------------
    def kill_worker(self, i: int = 0) -> None:
        """kill -9: no warm shutdown, the tasks it held stay unacknowledged."""
        proc = self.workers[i]
        assert proc is not None
        self.workers[i] = None  # not restarted by the watchdog: the caller decides
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def hub_processes_running(self) -> list[int]:
        """uvicorn's worker processes (not its multiprocessing helpers)."""
        assert self.hub is not None
        found = []
        for pid in _children(self.hub.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
                found.append(pid)
        return sorted(found)

    def kill_hub_process(self) -> int:
        """kill -9 one of uvicorn's hub processes; uvicorn starts a new one in its place."""
        victim = self.hub_processes_running()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def readyz(self) -> tuple[int, dict[str, Any]]:
        try:
            r = httpx.get(f"{self.url}/readyz", timeout=5)
            return r.status_code, r.json()
        except (httpx.HTTPError, ValueError):
            return 0, {}

    def wait_ready(self, timeout: float) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.readyz()[0] == 200:
                return time.monotonic() - start
            time.sleep(0.2)
        raise RuntimeError(f"the scaled topology was not ready within {timeout:.0f} s: {self.readyz()}")

    # -- looking -----------------------------------------------------------------------------------
    def worker_log(self, i: int) -> str:
        path = self.root / f"worker-{i}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_worker_ready(self, i: int, timeout: float) -> float:
        """Seconds until worker ``i``, as last started, says it is ready (consuming)."""
        start = time.monotonic()
        while self.worker_log(i).count(READY) <= self._ready_lines.get(i, 0):
            if time.monotonic() - start > timeout:
                raise RuntimeError(f"worker {i} not ready within {timeout:.0f} s:\n{self.worker_log(i)[-2000:]}")
            time.sleep(0.2)
        return time.monotonic() - start

    def tasks_succeeded(self, i: int) -> int:
        """Tasks worker ``i`` has run to the end, by its log (every start of it together)."""
        return self.worker_log(i).count("] succeeded in ")

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db_url)
        return self._store

    def undelivered(self) -> int:
        with self.store.read() as s:
            return int(s.execute(select(func.count()).select_from(Delivery).where(
                Delivery.status != DeliveryStatus.DELIVERED)).scalar_one())

    def delivered(self) -> int:
        with self.store.read() as s:
            return int(s.execute(select(func.count()).select_from(Delivery).where(
                Delivery.status == DeliveryStatus.DELIVERED)).scalar_one())

    def inboxes(self) -> dict[str, dict[str, Any]]:
        out = {}
        for (rid, _), port in zip(RECEIVERS, self.receiver_ports, strict=True):
            data = httpx.get(f"http://127.0.0.1:{port}/inbox", timeout=10).json()
            out[rid] = {"count": data["count"], "duplicates": data["duplicates"]}
        return out

    def wait_drained(self, timeout: float) -> float:
        """Seconds until every stored delivery is delivered (raises past ``timeout``)."""
        start = time.monotonic()
        while True:
            try:
                if self.undelivered() == 0:
                    return time.monotonic() - start
            except Exception:  # the store may still be coming back
                pass
            if time.monotonic() - start > timeout:
                raise AssertionError(f"not drained within {timeout:.0f} s: {self.undelivered()} undelivered")
            time.sleep(0.1)


def _measure(topo: ScaledTopology, docs_file: Path, clients: int, seconds: float, name: str) -> dict[str, Any]:
    try:
        topo.start()
        hub = drive(f"{topo.url}/soap/jumin", docs_file, clients, seconds, name)
        load = os.getloadavg()[0]
        drained = topo.wait_drained(300)
        delivered = topo.delivered()
    finally:
        topo.stop()
    return {"accepted_per_s": hub.rate, "p50_ms": hub.p50, "p99_ms": hub.p99, "errors": hub.errors,
            "delivered_per_s": delivered / (hub.seconds + drained), "drain_after_s": drained, "load": load}


def bench(clients: int = 8, seconds: float = 20.0, hub_processes: int = 2, workers: int = 2,
          broker: str = "redis") -> dict[str, Any]:
    """The scaled topology beside one SQLite process (and one PostgreSQL process), same documents,
    same load, same run."""
    print("single process, SQLite, inline dispatcher:", flush=True)
    single = soap_bench.run(clients=clients, seconds=seconds, workers=1)
    tmp = Path(tempfile.mkdtemp(prefix="chipla-bench-scaled-"))
    docs_file = tmp / "docs.bin"
    docs_file.write_bytes(b"\f".join(soap_bench.documents(int(seconds * 600))))
    layouts = {
        "single (SQLite, inline, 1 process)": {
            "accepted_per_s": single.hub.rate, "p50_ms": single.hub.p50, "p99_ms": single.hub.p99,
            "errors": single.hub.errors, "delivered_per_s": single.deliveries_per_s,
            "drain_after_s": single.drain_after_s, "load": single.load_after[0]},
        "PostgreSQL, inline, 1 process": _measure(
            ScaledTopology(dispatcher="inline", hub_processes=1, root=tmp / "pg-inline"), docs_file, clients,
            seconds, "pg-inline"),
        f"scaled (PostgreSQL + {broker}, {hub_processes} hub processes + {workers} workers)": _measure(
            ScaledTopology(broker=broker, hub_processes=hub_processes, workers=workers, root=tmp / "scaled"),
            docs_file, clients, seconds, "scaled"),
    }
    names = list(layouts)
    single_rate, scaled_rate = layouts[names[0]]["accepted_per_s"], layouts[names[2]]["accepted_per_s"]
    report: dict[str, Any] = {"clients": clients, "seconds": seconds, "layouts": layouts,
                              "ratio_scaled_over_single": scaled_rate / single_rate if single_rate else float("nan")}
    _print(report)
    return report


def _print(r: dict[str, Any]) -> None:
    print(f"\nchipla bench soap --topology scaled — {r['clients']} clients, {r['seconds']:.0f} s, 3 receivers")
    for name, m in r["layouts"].items():
        print(f"  {name:62s} {m['accepted_per_s']:7.0f} accepted msg/s   p50 {m['p50_ms']:6.1f} ms   "
              f"p99 {m['p99_ms']:6.1f} ms   {m['delivered_per_s']:6.0f} deliveries/s   errors {m['errors']}   "
              f"drained {m['drain_after_s']:.1f} s after   load {m['load']:.1f}")
    print(f"  ratio scaled/single: {r['ratio_scaled_over_single']:.2f}")

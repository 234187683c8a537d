"""Throw-away servers on loopback for the tests and benchmarks: Redis and RabbitMQ as Celery brokers
(PostgreSQL: ``simulators.throwaway_postgres``, re-exported here).

Each is started in a private folder on a free port, can be stopped and started again on the same
port and data (for the fault tests: the store or the broker going away for a few seconds), and is
removed at ``close``. PostgreSQL refuses to run as root, so when run as root the cluster belongs to
the ``postgres`` system user (created if missing). RabbitMQ gets its own epmd on a free port, so
nothing is left behind and no other node on the machine is touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from simulators.loopback import free_port
from simulators.throwaway_postgres import ThrowawayPostgres

__all__ = ["RabbitServer", "RedisServer", "ThrowawayPostgres", "wait_for_port"]


def _bin(name: str, *extra_dirs: str) -> str:
    for folder in ("/usr/local/bin", *extra_dirs):
        if Path(folder, name).exists():
            return str(Path(folder, name))
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (scripts/system-deps.sh installs the servers)")
    return found


def wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not open port {port} within {timeout:.0f} s")


class RedisServer:
    """redis-server with the persistence docs/dispatch.md recommends for a Celery broker (AOF,
    fsync every second), so queued tasks survive a restart."""

    def __init__(self, port: int | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="chipla-redis-"))
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [_bin("redis-server", "/usr/bin"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.root), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, 15, "redis-server")
        return self

    def pause(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # SIGTERM: redis flushes the AOF and exits
            self.proc.wait(15)
            self.proc = None

    def resume(self) -> None:
        self.start()

    def stop(self) -> None:
        self.pause()
        shutil.rmtree(self.root, ignore_errors=True)


class RabbitServer:
    """A private RabbitMQ node (no plugins) with its own epmd; durable queues survive a restart."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="chipla-rabbit-"))
        self.port = free_port()
        self.epmd_port = free_port()
        self.dist_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.epmd: subprocess.Popen[bytes] | None = None
        (self.root / "enabled_plugins").write_text("[].\n", encoding="ascii")

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def _env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.root), "ERL_EPMD_PORT": str(self.epmd_port),
                "RABBITMQ_NODENAME": f"chipla{self.port}@localhost", "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"), "RABBITMQ_LOG_BASE": str(self.root / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
                "RABBITMQ_PID_FILE": str(self.root / "rabbit.pid")}

    def start(self) -> RabbitServer:
        if self.epmd is None:
            self.epmd = subprocess.Popen([_bin("epmd", "/usr/bin"), "-port", str(self.epmd_port)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with (self.root / "server.out").open("ab") as out:
            self.proc = subprocess.Popen([_bin("rabbitmq-server", "/usr/lib/rabbitmq/bin")], env=self._env(),
                                         stdout=out, stderr=subprocess.STDOUT, cwd=self.root)
        wait_for_port(self.port, 60, "rabbitmq-server")
        return self

    def pause(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None

    def resume(self) -> None:
        self.start()

    def stop(self) -> None:
        self.pause()
        if self.epmd is not None:
            self.epmd.terminate()
            self.epmd.wait(10)
            self.epmd = None
        shutil.rmtree(self.root, ignore_errors=True)

"""A throw-away PostgreSQL cluster for the tests and the benchmarks (initdb + pg_ctl, loopback only).

PostgreSQL refuses to run as root, so when run as root the cluster belongs to the ``postgres``
system user (created if missing). The tests trade durability for speed (``fsync=off``); a benchmark
asks for ``durable=True`` so it commits as a production server would.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

from simulators.loopback import free_port


def _bin(name: str) -> str:
    found = shutil.which(name) or (f"/usr/local/bin/{name}" if Path(f"/usr/local/bin/{name}").exists() else None)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found


class ThrowawayPostgres:
    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="chipla-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = None if os.geteuid() != 0 else self._service_user()

    def _service_user(self) -> str:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(self.root, "postgres")
        os.chmod(self.root, 0o700)
        return "postgres"

    def _run(self, *cmd: str) -> None:
        full = ["runuser", "-u", self.user, "--", *cmd] if self.user else list(cmd)
        subprocess.run(full, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self, max_connections: int = 200) -> ThrowawayPostgres:
        self._run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "chipla", "-E", "UTF8",
                  "--no-locale")
        self._opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}"
        if not self.durable:
            self._opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.resume()
        return self

    def pause(self) -> None:
        """Stop the server (open connections are cut); ``resume`` starts it again on the same data."""
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-o", self._opts, "-l", str(self.root / "log"), "-w",
                  "start")

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://chipla@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

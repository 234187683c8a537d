"""Fixtures for testing the kit: the faulty vendor on a loopback port and one kit run against it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import faulty_sender, faulty_vendor, runner
from conformance.server import ThreadedServer

VENDOR_CREDENTIALS = ["--username", "vendor", "--password", "vendor-secret",
                      "--api-key", "vendor-api-key-0001"]
SENDER_CREDENTIALS = ["--username", "sender", "--password", "sender-secret"]


class KitRun:
    """The outcome of one kit run: exit status and the signed summary."""

    def __init__(self, status: int, report: Path) -> None:
        self.status = status
        self.report = report
        self.summary: dict[str, Any] = json.loads((report / "summary.json").read_text(encoding="utf-8"))

    @property
    def failing(self) -> set[str]:
        return {r["id"] for r in self.summary["requirements"] if r["verdict"] != "準拠"}


@pytest.fixture
def kit_key(tmp_path: Path) -> Path:
    return tmp_path / "kit.key"


@pytest.fixture
def run_vendor(tmp_path: Path, kit_key: Path) -> Iterator[Callable[..., KitRun]]:
    servers: list[ThreadedServer] = []

    def run(role: str, faults: set[str] | None = None, name: str = "run") -> KitRun:
        server = ThreadedServer(faulty_vendor.create_app(faults or set())).start()
        servers.append(server)
        report = tmp_path / name
        status = runner.main(["run", "--base-url", server.url, "--role", role, "--report", str(report),
                              "--key", str(kit_key), "--quiet", *VENDOR_CREDENTIALS])
        return KitRun(status, report)

    yield run
    for server in servers:
        server.stop()


@pytest.fixture
def run_sender(tmp_path: Path, kit_key: Path) -> Iterator[Callable[..., KitRun]]:
    servers: list[ThreadedServer] = []

    def run(faults: set[str] | None = None, name: str = "sender") -> KitRun:
        server = ThreadedServer(faulty_sender.create_app(faults or set())).start()
        servers.append(server)
        report = tmp_path / name
        status = runner.main(["run", "--role", "sender", "--trigger-url", server.url + "/trigger",
                              "--expect-count", "4", "--wait", "5", "--report", str(report),
                              "--key", str(kit_key), "--quiet", *SENDER_CREDENTIALS])
        return KitRun(status, report)

    yield run
    for server in servers:
        server.stop()

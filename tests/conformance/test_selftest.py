"""The self-test seam: start_hub() → (base_url, credentials, stop); the hub is stopped afterwards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import faulty_vendor, runner, selftest
from conformance.server import ThreadedServer

StartHub = Callable[[], tuple[str, dict[str, Any], Callable[[], None]]]


def starter(faults: set[str], stopped: list[bool]) -> StartHub:
    def start_hub() -> tuple[str, dict[str, Any], Callable[[], None]]:
        server = ThreadedServer(faulty_vendor.create_app(faults)).start()

        def stop() -> None:
            server.stop()
            stopped.append(True)

        return server.url, {"username": "vendor", "password": "vendor-secret",
                            "api_key": "vendor-api-key-0001"}, stop

    return start_hub


def test_selftest_runs_both_roles_and_stops_the_hub(tmp_path: Path) -> None:
    stopped: list[bool] = []
    key = tmp_path / "k.key"
    assert selftest.run(tmp_path / "reports", starter(set(), stopped), key=key) == 0
    assert stopped == [True]
    for role in ("provider", "receiver"):
        assert runner.verify(tmp_path / "reports" / role, key)


def test_selftest_reports_a_non_conformant_hub(tmp_path: Path) -> None:
    stopped: list[bool] = []
    status = selftest.run(tmp_path / "reports", starter({"replay_accepted"}, stopped), key=tmp_path / "k.key")
    assert status == 1 and stopped == [True]

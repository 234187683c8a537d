"""Self-test: run the kit against the hub itself, as provider and as receiver.

The seam is one callable, so the kit never imports the hub:

    start_hub() -> (base_url, credentials, stop)

``base_url`` is where the hub listens (``/soap/jumin`` and ``/api/v1`` below it); ``credentials`` is a
dict with ``username`` and ``password`` (a WS-Security user allowed 照会 and IdoTsuchi), and optionally
``api_key``, ``sender_id`` and ``lg_code``; ``stop()`` shuts the hub down. The hub is started once and
stopped even when a run breaks. Reports go to ``report_dir/<role>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import runner

StartHub = Callable[[], tuple[str, dict[str, Any], Callable[[], None]]]
ROLES = ("provider", "receiver")


def argv_for(role: str, base_url: str, credentials: dict[str, Any], report_dir: Path,
             key: Path | None = None) -> list[str]:
    argv = ["run", "--base-url", base_url, "--role", role, "--report", str(report_dir / role),
            f"--username={credentials['username']}", f"--password={credentials['password']}",
            "--product", "chipla hub", "--vendor", "chipla", "--quiet"]
    for key_name, flag in (("api_key", "--api-key"), ("sender_id", "--sender-id"), ("lg_code", "--lg-code")):
        if credentials.get(key_name):
            argv.append(f"{flag}={credentials[key_name]}")  # a secret may begin with "-"
    if key is not None:
        argv += ["--key", str(key)]
    return argv


def run(report_dir: str | Path, start_hub: StartHub, *, roles: tuple[str, ...] = ROLES,
        key: Path | None = None) -> int:
    """0 when the hub is 準拠 in every role; otherwise the first non-zero runner status."""
    report = Path(report_dir)
    base_url, credentials, stop = start_hub()
    try:
        statuses = [runner.main(argv_for(role, base_url, credentials, report, key)) for role in roles]
    finally:
        stop()
    return next((s for s in statuses if s != 0), 0)

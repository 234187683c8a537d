"""The hub's self-test: one fresh sandbox, and the whole conformance kit against every system in it.

The kit (``conformance/``) never imports the hub; its seam is a ``start_hub()`` callable returning
``(base_url, credentials, stop)``. This module is the composition-root side of that seam. It starts
:func:`simulators.sandbox.start_hub` once on a temporary SQLite file and offers each system in the sandbox
to the kit as a target:

- ``hub``: the hub itself, as provider (照会) and receiver (住民異動通知), as the 住民記録 system "juki";
- ``hub-zei``: the hub's 個人住民税 service, as receiver (the 個人住民税 system) and provider (an employer);
- ``zei``, ``kokuho``: the simulated SOAP receivers the hub delivers to, with their own credentials;
- ``juki``: the simulated 住民記録 sender (``simulators.sender_app``), judged in the sender role.

Reports land in ``<report>/<target>/<role>/``; the result is 準拠 only when every one of them is.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from conformance import runner, selftest
from simulators import selftest_zei
from simulators.loopback import LoopbackServer
from simulators.sandbox import RunningHub, sqlite_url, start_hub
from simulators.sender_app import sender_app

HubTuple = tuple[str, dict[str, Any], Callable[[], None]]
SOAP_RECEIVERS = ("zei", "kokuho")
TARGETS = ("hub", selftest_zei.TARGET, *SOAP_RECEIVERS, "juki")
SENDER_COUNT = 4  # two residents, two notices each: enough to judge per-resident order
SENDER_WAIT_SECONDS = 30.0
PRODUCT = {"hub": "chipla hub", "zei": "個人住民税システム（模擬）", "kokuho": "国民健康保険システム（模擬）",
           "juki": "住民記録システム（模擬）"}


@dataclass(frozen=True)
class Outcome:
    target: str
    role: str
    status: int
    report: Path
    seconds: float

    @property
    def verdict(self) -> str:
        """The verdict the signed summary records; a run that wrote none has none."""
        try:
            return str(json.loads((self.report / "summary.json").read_text(encoding="utf-8"))["verdict"])
        except (OSError, ValueError, KeyError):
            return "実行失敗"


def _no_stop() -> None:
    """Targets share one sandbox, which :func:`sandbox` stops once at the end."""


def hub_target(hub: RunningHub) -> Callable[[], HubTuple]:
    """The kit's ``start_hub`` for the hub itself, acting as the registered 住民記録 system."""
    credentials = {"username": hub.juki_user, "password": hub.juki_password, "api_key": hub.juki_key,
                   "sender_id": hub.juki_user, "lg_code": "243035"}
    return lambda: (hub.url, credentials, _no_stop)


def receiver_target(hub: RunningHub, rid: str) -> Callable[[], HubTuple]:
    """The kit's ``start_hub`` for a simulated receiver, with the credentials the hub uses towards it."""
    r = hub.receivers[rid]
    return lambda: (r.server.url, {"username": r.username, "password": r.password}, _no_stop)


@contextmanager
def sandbox() -> Iterator[RunningHub]:
    with tempfile.TemporaryDirectory(prefix="chipla-selftest-") as tmp:
        hub = start_hub(sqlite_url(Path(tmp)))
        try:
            yield hub
        finally:
            hub.stop()


def _timed(target: str, role: str, report: Path, run: Callable[[], int]) -> Outcome:
    started = time.monotonic()
    status = run()
    return Outcome(target, role, status, report / target / role, round(time.monotonic() - started, 2))


def _receiver(hub: RunningHub, rid: str, report: Path, key: Path | None) -> int:
    """Like the kit's own self-test, but naming the simulated product in the report."""
    base_url, credentials, _ = receiver_target(hub, rid)()
    argv = selftest.argv_for("receiver", base_url, credentials, report / rid, key)
    return runner.main([*argv, "--product", PRODUCT[rid]])


def _sender(hub: RunningHub, report: Path, key: Path | None) -> int:
    app, _ = sender_app(hub.juki_user, hub.juki_password, sender_id=hub.juki_user)
    server = LoopbackServer(app, lifespan="off").start()
    argv = ["run", "--role", "sender", "--report", str(report / "juki" / "sender"),
            "--trigger-url", f"{server.url}/trigger", f"--username={hub.juki_user}",
            f"--password={hub.juki_password}", "--expect-count", str(SENDER_COUNT),
            "--wait", str(SENDER_WAIT_SECONDS), "--product", PRODUCT["juki"], "--vendor", "chipla", "--quiet"]
    if key is not None:
        argv += ["--key", str(key)]
    try:
        return runner.main(argv)
    finally:
        server.stop()


def run(report_dir: str | Path, *, key: Path | None = None,
        targets: tuple[str, ...] = TARGETS) -> list[Outcome]:
    """Run the kit against each chosen target of one fresh sandbox; reports under ``report_dir``."""
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise ValueError(f"unknown self-test targets: {sorted(unknown)} (known: {', '.join(TARGETS)})")
    report = Path(report_dir)
    outcomes: list[Outcome] = []
    with sandbox() as hub:
        if "hub" in targets:
            for role in selftest.ROLES:
                outcomes.append(_timed("hub", role, report, partial(
                    selftest.run, report / "hub", hub_target(hub), roles=(role,), key=key)))
        if selftest_zei.TARGET in targets:
            for role in selftest_zei.ROLES:
                run_zei = getattr(selftest_zei, role)
                outcomes.append(_timed(selftest_zei.TARGET, role, report,
                                       partial(run_zei, hub, report, key)))
        for rid in SOAP_RECEIVERS:
            if rid in targets:
                outcomes.append(_timed(rid, "receiver", report, partial(_receiver, hub, rid, report, key)))
        if "juki" in targets:
            outcomes.append(_timed("juki", "sender", report, partial(_sender, hub, report, key)))
    return outcomes


def status(outcomes: list[Outcome]) -> int:
    """0 only when every run was 準拠; otherwise the first non-zero status of the runner."""
    return next((o.status for o in outcomes if o.status != 0), 0)

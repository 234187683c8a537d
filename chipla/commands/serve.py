"""``chipla serve``: the hub alone, configured from the environment."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import subprocess
import sys

import uvicorn

from broker.registry import Snapshot
from broker.store import Store
from chipla import notify
from chipla.app import build_app
from chipla.config import Settings
from chipla.failures import redact_url
from chipla.feeds import sensor_feed
from chipla.wiring import build

log = logging.getLogger("chipla.serve")


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="run the hub (REST, SOAP, console) on one port")
    p.add_argument("--port", type=int, default=None, help="port (default CHIPLA_PORT or 8000)")
    p.add_argument("--host", default=None, help="address (default CHIPLA_HOST or 127.0.0.1)")
    p.add_argument("--workers", type=int, default=1, help="hub processes sharing the store (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.load(port=args.port, host=args.host)
    if settings.dispatcher == "auto" or (settings.dispatcher == "inline" and args.workers > 1):
        # deliveries and the derive stage in a process of their own: on two cores the accepting
        # process then keeps one for itself (docs/benchmarks.md); with several workers, one
        # dispatcher for all of them (each delivering would compete for the same rows)
        settings = dataclasses.replace(settings, dispatcher="process")
    dispatch = None
    if settings.dispatcher == "process":
        store = Store(settings.db_url, synchronous=settings.sqlite_synchronous)
        store.migrate()  # before the dispatch process opens the store
        store.dispose()
        dispatch = _start_dispatch_process()
    try:
        return _serve(args, settings)
    finally:
        if dispatch is not None:
            dispatch.terminate()
            dispatch.wait(30)


def _start_dispatch_process() -> subprocess.Popen[bytes]:
    """``chipla dispatch`` beside the server: deliveries and the derive stage get a core of their own."""
    env = {**os.environ, "CHIPLA_DISPATCHER": "external"}
    return subprocess.Popen([sys.executable, "-m", "chipla.cli", "dispatch", "--parent", str(os.getpid())],
                            env=env, stdout=subprocess.DEVNULL)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if args.workers > 1:
        store = Store(settings.db_url, synchronous=settings.sqlite_synchronous)
        store.migrate()  # once, before the workers start
        store.dispose()
        if settings.dispatcher == "process":  # the workers accept; the dispatch process delivers
            os.environ["CHIPLA_DISPATCHER"] = "external"
        uvicorn.run("chipla.asgi:create_app", factory=True, workers=args.workers, host=settings.host,
                    port=settings.port, log_level="warning", access_log=False)
        return 0
    parts = build(settings)
    # one process runs the MQTT door; its stored readings also run through the notification rules
    parts.sensors = sensor_feed(settings, parts.store, [notify.sensor_tap(parts.hub)])
    for line in banner(settings, parts.registry.snapshot()):
        log.info("%s", line)
    uvicorn.run(build_app(parts), host=settings.host, port=settings.port, log_level="info",
                access_log=False)
    return 0


def banner(settings: Settings, snapshot: Snapshot) -> list[str]:
    """What an operator needs to know at start: where, with what, and what is missing."""
    base = f"http://{settings.host}:{settings.port}"
    active = [s for s in snapshot.systems.values() if s.active]
    admins = sum(1 for s in active if s.is_admin)
    lines = [
        f"chipla on {base}: API console {base}/api/v1/ui/, SOAP {base}/soap/<service>?wsdl, "
        f"operator console {base}/console/, health {base}/healthz",
        f"store {redact_url(settings.db_url)}, dispatcher {settings.dispatcher}"
        + (f" ({redact_url(settings.broker_url)})" if settings.broker_url else ""),
        f"registry: {len(active)} systems ({admins} admin), {len(snapshot.subscriptions)} subscriptions"
        + (f" from {settings.registry_file}" if settings.registry_file else ""),
    ]
    if not admins:
        lines.append("no admin system: the management API and console need one — see docs/configuration.md "
                     "(a system with roles: [admin] and an apiKey in CHIPLA_REGISTRY_FILE)")
    return lines

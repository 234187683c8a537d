"""``chipla serve``: the hub alone, configured from the environment."""

from __future__ import annotations

import argparse

import uvicorn

from broker.store import Store
from chipla.app import build_app
from chipla.config import Settings
from chipla.feeds import sensor_feed
from chipla.wiring import build


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="run the hub (REST, SOAP, console) on one port")
    p.add_argument("--port", type=int, default=None, help="port (default CHIPLA_PORT or 8000)")
    p.add_argument("--host", default=None, help="address (default CHIPLA_HOST or 127.0.0.1)")
    p.add_argument("--workers", type=int, default=1, help="hub processes sharing the store (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.load(port=args.port, host=args.host)
    if args.workers > 1:
        store = Store(settings.db_url, synchronous=settings.sqlite_synchronous)
        store.migrate()  # once, before the workers start
        store.dispose()
        uvicorn.run("chipla.asgi:create_app", factory=True, workers=args.workers, host=settings.host,
                    port=settings.port, log_level="warning", access_log=False)
        return 0
    parts = build(settings)
    parts.sensors = sensor_feed(settings, parts.store)  # one process runs the MQTT door
    uvicorn.run(build_app(parts), host=settings.host, port=settings.port, log_level="warning",
                access_log=False)
    return 0

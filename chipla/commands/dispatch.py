"""``chipla dispatch``: deliver from the outbox in this process, for a hub started with
``CHIPLA_DISPATCHER=external`` (accepting and delivering then each get a process of their own)."""

from __future__ import annotations

import argparse
import signal
import threading

from chipla.config import Settings
from chipla.wiring import build


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("dispatch", help="the inline dispatcher as its own process (CHIPLA_DISPATCHER=external)")
    p.set_defaults(func=run)


def run(_: argparse.Namespace) -> int:
    settings = Settings.load()
    parts = build(settings, deliver=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    parts.dispatcher.start()
    print(f"delivering from {settings.db_url.split('@')[-1]} (Ctrl-C to stop)", flush=True)
    stop.wait()
    parts.dispatcher.stop()
    for adapter in parts.adapters.values():
        adapter.close()
    parts.store.dispose()
    return 0

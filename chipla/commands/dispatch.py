"""``chipla dispatch``: deliver from the outbox in this process, for a hub started with
``CHIPLA_DISPATCHER=external`` (accepting and delivering then each get a process of their own)."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import threading

from chipla.config import Settings
from chipla.wiring import build


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("dispatch", help="the inline dispatcher and the derive stage as their own process "
                                        "(CHIPLA_DISPATCHER=external)")
    p.add_argument("--parent", type=int, default=None,
                   help="stop when this process is gone (set by `chipla serve` when it starts the dispatcher)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.load()
    parts = build(settings, deliver=True)
    # what start-up built (schemas, specs, templates, modules) lives as long as the process: frozen, it
    # is left out of every collection, and a full one walks only what the deliveries keep
    gc.freeze()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.parent is not None:
        threading.Thread(target=_watch_parent, args=(args.parent, stop), daemon=True).start()
    parts.hub.deriver.start()
    parts.dispatcher.start()
    print(f"delivering from {settings.db_url.split('@')[-1]} (Ctrl-C to stop)", flush=True)
    stop.wait()
    parts.dispatcher.stop()
    parts.hub.deriver.stop()
    for adapter in parts.adapters.values():
        adapter.close()
    parts.store.dispose()
    return 0


def _watch_parent(parent: int, stop: threading.Event) -> None:
    """A dispatcher started by ``chipla serve`` ends with it, even when the server was killed."""
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()

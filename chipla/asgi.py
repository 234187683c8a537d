"""ASGI factory for process managers: ``uvicorn --factory chipla.asgi:create_app --workers N``.

Each worker process builds its own hub from the same ``CHIPLA_*`` configuration. Several workers may
share one store: accepts serialise on the database, outbox claims are atomic, and a replayed token is
refused by the store even when another worker saw it first.
"""

from __future__ import annotations

from starlette.types import ASGIApp

from chipla import log_flood
from chipla.app import build_app
from chipla.config import Settings
from chipla.wiring import build


def create_app() -> ASGIApp:
    log_flood.install()  # each worker process logs through its own handlers
    return build_app(build(Settings.load()))

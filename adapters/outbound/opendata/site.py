"""The ASGI app mounted at ``/opendata``: the published folder as static files, the CKAN-compatible
API, and a build on first use (and again when the folder is older than ``refresh_seconds``), so the
pages follow the hub's records without a separate job."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from adapters.outbound.opendata.ckan_api import CkanApi
from adapters.outbound.opendata.gtfs_rt import FEEDS

__all__ = ["OpenDataSite"]


class OpenDataSite:
    def __init__(self, folder: Path, build: Callable[[], object], *, base_url: str = "/opendata",
                 refresh_seconds: float = 300.0, realtime: Callable[[str], bytes] | None = None) -> None:
        self.folder, self._build, self.refresh_seconds = folder, build, refresh_seconds
        self._realtime = realtime
        self._lock = threading.Lock()
        self._built_at: float | None = None
        api = CkanApi(folder, base_url)
        self.app = Starlette(routes=[
            Route("/api/3/action/{action}", api.handle, methods=["GET", "POST"]),
            Route("/catalog.jsonld", self._catalog),
            Route("/bus/realtime/{feed}.pb", self._gtfs_rt),
            Mount("/", app=StaticFiles(directory=folder, html=True, check_dir=False)),
        ])

    def ensure_built(self) -> None:
        with self._lock:
            if self._built_at is None or time.monotonic() - self._built_at > self.refresh_seconds:
                self._build()
                self._built_at = time.monotonic()

    async def _catalog(self, _: Request) -> Response:
        return FileResponse(self.folder / "catalog.jsonld", media_type="application/ld+json")

    async def _gtfs_rt(self, request: Request) -> Response:
        """GTFS-Realtime, built on each request from the latest positions (never cached on disk)."""
        kind = request.path_params["feed"]
        if self._realtime is None or kind not in FEEDS:
            return PlainTextResponse("not found", status_code=404)
        data = await run_in_threadpool(self._realtime, kind)
        return Response(data, media_type="application/x-protobuf", headers={"Cache-Control": "no-cache"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await run_in_threadpool(self.ensure_built)
        await self.app(scope, receive, send)

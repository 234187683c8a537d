"""The ASGI application: one port for REST (connexion, spec-first), SOAP, health and metrics.

Each SOAP endpoint is a plain ASGI app that ``PathDispatch`` calls directly for its own path, so
the hot SOAP path crosses neither the REST middleware stack nor Starlette's (the refusal gate and
the hub scope still wrap it). Health, metrics and the console are Starlette routes, dispatched
before connexion; the SOAP endpoints are Starlette routes too, for what the direct dispatch does
not take (other methods: 405). Every registered service with a WSDL gets its SOAP
endpoint at ``/soap/<service>``; every service with an OpenAPI fragment gets its REST paths, merged
into the one document served at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
from collections.abc import AsyncIterator
from typing import Any

import connexion
from connexion.exceptions import ProblemException
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

import api_specs
from adapters.inbound.console import console_routes
from adapters.inbound.refusal_gate import RefusalGate
from adapters.inbound.rest import problems
from adapters.inbound.rest.context import HubScope
from adapters.inbound.rest.methods import AllowedMethods
from adapters.inbound.rest.services import resolver
from adapters.inbound.soap.endpoint import SoapEndpoint
from adapters.inbound.soap.wsdl_docs import WsdlDocuments
from adapters.outbound.ngsi.api import NgsiApi
from broker.errors import HubError
from broker.metrics import OUTBOX_BACKLOG
from broker.readiness import Readiness
from chipla.console_wiring import console_deps
from chipla.notify import runtime_of
from chipla.notify_inbox import inbox_routes
from chipla.opendata_site import opendata_routes
from chipla.wiring import Parts

FAST_PREFIXES = ("/soap/", "/healthz", "/readyz", "/metrics", "/console", "/ngsi/", "/opendata")


DOOR_METHODS = ("GET", "POST", "HEAD")


class PathDispatch:
    """Send a SOAP door's own requests straight to it, SOAP's other paths, health, metrics and
    console to Starlette; everything else to connexion.

    ``doors`` (exact path → ASGI app) are the SOAP endpoints: their messages skip Starlette's router
    and middleware, which cost the event loop more per message than the door's own routing. Any
    other method, or a path that is not a door (``/soap/<service>/``, an unknown service), still
    takes the Starlette route, which answers 405, the redirect or 404 as before.
    """

    def __init__(self, fast: ASGIApp, rest: ASGIApp, doors: dict[str, ASGIApp] | None = None) -> None:
        self.fast, self.rest = fast, rest
        self.doors = doors or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.fast(scope, receive, send)
            return
        path: str = scope.get("path", "")
        door = self.doors.get(path)
        if door is not None and scope["type"] == "http" and scope["method"] in DOOR_METHODS:
            await door(scope, receive, send)
            return
        target = self.fast if path.startswith(FAST_PREFIXES) or path == "/" else self.rest
        await target(scope, receive, send)


def build_app(parts: Parts) -> ASGIApp:
    hub = parts.hub
    docs = WsdlDocuments()
    soap = [SoapEndpoint(hub, service, docs, max_bytes=parts.settings.max_message_bytes)
            for service in parts.services if service.contract.wsdl]

    async def healthz(_: Request) -> Response:
        body = {"status": "ok", "dispatcher": parts.settings.dispatcher,
                "store": "sqlite" if parts.store.is_sqlite else "postgresql"}
        if parts.sensors is not None:
            body["mqtt"] = parts.sensors.status()
        return JSONResponse(body)

    readiness = Readiness(parts.store, parts.settings.broker_url if parts.settings.dispatcher == "celery" else "",
                          stall_seconds=parts.settings.ready_stall_seconds)
    OUTBOX_BACKLOG.attach(parts.store)

    async def readyz(_: Request) -> Response:
        """Ready to take work and pass it on: store, broker (Celery), delivery moving. 503 otherwise."""
        report = await run_in_threadpool(readiness.report)
        return JSONResponse(report.as_json(), status_code=200 if report.ready else 503)

    async def metrics(request: Request) -> Response:
        if not metrics_allowed(request, parts.settings.metrics_token):
            return JSONResponse({"detail": "metrics need a bearer token (CHIPLA_METRICS_TOKEN) or a loopback client"},
                                status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def root(_: Request) -> Response:
        return RedirectResponse("/console/")

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        hub.start()
        if parts.sensors is not None:
            parts.sensors.start()
        notify_runtime = runtime_of(hub)
        if notify_runtime is not None:
            notify_runtime.start()
        try:
            yield
        finally:
            if parts.sensors is not None:
                parts.sensors.stop()
            hub.stop()
            for adapter in parts.adapters.values():
                adapter.close()

    fast = Starlette(routes=[
        *(Route(endpoint.path, endpoint, methods=["GET", "POST"]) for endpoint in soap),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/", root),
        *inbox_routes(parts),  # before the console's Mount, which takes every other /console path
        *console_routes(console_deps(parts)),
        *NgsiApi(parts.store, parts.registry).routes(),
        *opendata_routes(parts),
    ], lifespan=lifespan)

    rest = connexion.AsyncApp(__name__, specification_dir=str(api_specs.ROOT))
    spec = api_specs.openapi_document(s.contract.openapi for s in parts.services if s.contract.openapi)
    rest.add_api(spec, base_path="/api/v1", strict_validation=True, validate_responses=False,
                 resolver=resolver(parts.services),
                 swagger_ui_options=connexion.options.SwaggerUIOptions(swagger_ui_path="/ui"))
    rest.add_error_handler(HubError, problems.on_hub_error)
    rest.add_error_handler(ProblemException, problems.on_problem)
    rest.add_error_handler(404, problems.on_not_found)
    rest.add_error_handler(405, problems.method_not_allowed(AllowedMethods(spec)))
    rest.add_error_handler(Exception, problems.on_unexpected)
    doors: dict[str, ASGIApp] = {endpoint.path: endpoint for endpoint in soap}
    return RefusalGate(HubScope(PathDispatch(fast, rest, doors), hub, max_bytes=parts.settings.max_message_bytes),
                       hub.refusals)


def metrics_allowed(request: Request, token: str) -> bool:
    """With a token configured, only a request bearing it; without one, only loopback clients."""
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False

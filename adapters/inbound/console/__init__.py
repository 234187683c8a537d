"""The operator and integration console at ``/console/``: an inbound adapter for people.

Server-rendered Japanese pages (Jinja2, no script needed): sign-in with roles, a message browser
over accepted messages, dead letters and quarantine, message detail with lineage, deliveries and
audit, the operator's actions (retry, reprocess, replay, unmask with a reason), dashboards, the
plan's KPIs and a SOAP workbench. Everything it needs arrives in :class:`ConsoleDeps`.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from adapters.inbound.console import auth_routes, dashboard_routes, message_routes, workbench_routes
from adapters.inbound.console.core import ConsoleCore
from adapters.inbound.console.deps import ConsoleDeps, Kpi, ReplayDiff, SoapOperation

STATIC = Path(__file__).resolve().parent / "static"


def console_routes(deps: ConsoleDeps) -> list[BaseRoute]:
    """Everything under ``/console``; bad configuration (a short secret) fails here, at start."""
    core = ConsoleCore(deps)
    return [Mount("/console", routes=[
        *auth_routes.routes(core),
        *dashboard_routes.routes(core),
        *message_routes.routes(core),
        *workbench_routes.routes(core),
        Mount("/static", StaticFiles(directory=STATIC), name="console-static"),
    ])]


__all__ = ["ConsoleDeps", "Kpi", "ReplayDiff", "SoapOperation", "console_routes"]

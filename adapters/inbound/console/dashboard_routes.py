"""Dashboards: routes and delivery health, sensors and water levels, the plan's KPIs."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.inbound.console import sensors_view, stats
from adapters.inbound.console.core import ConsoleCore


def routes(core: ConsoleCore) -> list[BaseRoute]:
    deps = core.deps

    async def dashboard(request: Request) -> Response:
        user = await core.require(request)
        s = await run_in_threadpool(stats.route_stats, deps.store)
        destinations = sorted({*s.dead_depth, *s.pending_depth, *s.error_rate, *s.latency})
        return core.page(request, "dashboard.html", user, title="ダッシュボード", s=s, destinations=destinations)

    async def sensors(request: Request) -> Response:
        user = await core.require(request)
        health = await run_in_threadpool(sensors_view.health, deps.store, deps.lg_code)
        gauges = await run_in_threadpool(sensors_view.gauges, deps.store, deps.lg_code)
        return core.page(request, "sensors.html", user, title="センサーと水位", health=health, gauges=gauges)

    async def kpi(request: Request) -> Response:
        user = await core.require(request)
        kpis = await run_in_threadpool(deps.kpis)
        return core.page(request, "kpi.html", user, title="計画の指標 (KPI)", kpis=kpis)

    return [
        Route("/", core.guard(dashboard), methods=["GET"]),
        Route("/sensors", core.guard(sensors), methods=["GET"]),
        Route("/kpi", core.guard(kpi), methods=["GET"]),
    ]

"""Wiring of the open-data site: the town folder, the hub's store and the output folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from starlette.routing import BaseRoute, Mount

from adapters.outbound.opendata.build import BuildOptions, build_site, default_town_folder
from adapters.outbound.opendata.definitions import load_town
from adapters.outbound.opendata.gtfs import load_bus
from adapters.outbound.opendata.gtfs_rt import feed_bytes
from adapters.outbound.opendata.sensor_series import StoreSeries
from adapters.outbound.opendata.series import SeriesSource
from adapters.outbound.opendata.site import OpenDataSite
from broker.clock import now
from chipla.wiring import Parts


def opendata_routes(parts: Parts, series: SeriesSource | None = None) -> list[BaseRoute]:
    folder, town = Path(parts.settings.opendata_dir), default_town_folder()
    if series is None:  # the hub's own observation store (water levels, bus positions)
        series = StoreSeries(parts.store, load_town(town).town.lg_code)

    def build() -> object:
        return build_site(town, folder, BuildOptions(
            now=now(), as_of=date.today(), store=parts.store, series=series, base_url="/opendata"))

    def realtime(kind: str) -> bytes:
        positions = series.bus_positions() if series is not None else []
        return feed_bytes(kind, load_bus(town / "bus"), positions, now())

    site = OpenDataSite(folder, build, refresh_seconds=parts.settings.opendata_refresh_seconds, realtime=realtime)
    return [Mount("/opendata", app=site)]

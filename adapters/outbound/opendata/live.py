"""Datasets built from live series: the bus (a GTFS-JP feed from the town's timetable; its realtime
feeds are served by the site) and water levels (from the observation store)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.outbound.opendata.definitions import Definition, TownConfig
from adapters.outbound.opendata.gtfs import gtfs_files, gtfs_zip, load_bus
from adapters.outbound.opendata.types import BuiltDataset, Preview, Resource
from adapters.outbound.opendata.water import water_resources

if TYPE_CHECKING:
    from adapters.outbound.opendata.build import BuildOptions

__all__ = ["REALTIME_NOTE", "series_dataset"]

REALTIME_NOTE = """<h2>GTFS-Realtime</h2>
<p>運行中の車両の情報は GTFS-Realtime (Protocol Buffers) で配信しています。</p>
<ul>
<li><a href="{base}/bus/realtime/trip_updates.pb">遅れ・到着予定 (TripUpdate)</a></li>
<li><a href="{base}/bus/realtime/vehicle_positions.pb">車両の位置 (VehiclePosition)</a></li>
<li><a href="{base}/bus/realtime/alerts.pb">運行情報 (Alert)</a></li>
</ul>"""


def _dataset(d: Definition, resources: list[Resource], preview: Preview, pages: dict[str, str]) -> BuiltDataset:
    return BuiltDataset(d.id, d.title, d.description, d.category, d.update_frequency, resources, list(d.keywords),
                        preview, d.template, pages)


def series_dataset(d: Definition, cfg: TownConfig, opts: BuildOptions) -> BuiltDataset | None:
    assert d.source is not None
    name = d.source["series"].text()
    if name == "bus":
        feed = load_bus(cfg.folder / "bus")
        data = gtfs_zip(gtfs_files(feed))
        resource = Resource("gtfs-jp", f"{cfg.town.lg_code}_gtfs_jp.zip", data, "zip", "application/zip",
                            "GTFS-JP（静的データ）")
        preview = Preview(["停留所ID", "停留所名", "大字", "緯度", "経度"],
                          [[s.id, s.name, s.oaza, f"{s.lat:.4f}", f"{s.lon:.4f}"] for s in feed.stops])
        return _dataset(d, [resource], preview, {"realtime": REALTIME_NOTE.format(base=opts.base_url.rstrip("/"))})
    if opts.series is None or not opts.series.gauges():
        return None
    resources, preview, pages = water_resources(opts.series, cfg.town.lg_code, opts.as_of, bom=opts.bom)
    return _dataset(d, resources, preview, pages)

"""Water levels as open data: the gauges with their thresholds, the latest reading of each (CSV and
JSON), one day's readings per gauge (CSV and JSON) and a chart per gauge (SVG), from a
:class:`SeriesSource`."""

from __future__ import annotations

import json
from datetime import date, datetime
from html import escape
from typing import Any

from adapters.outbound.opendata.series import Gauge, Reading, SeriesSource
from adapters.outbound.opendata.svg_chart import day_chart
from adapters.outbound.opendata.tabular import csv_bytes
from adapters.outbound.opendata.types import Preview, Resource
from broker.clock import as_jst

__all__ = ["LEVELS", "water_resources"]

LEVELS = ("水防団待機水位", "氾濫注意水位", "避難判断水位", "氾濫危険水位")
GAUGE_COLUMNS = [("水位計ID", "string", True), ("名称", "string", True), ("緯度", "number", True),
                 ("経度", "number", True), ("単位", "string", True), *[(k, "number", False) for k in LEVELS],
                 ("基準水位の出典", "string", False)]
LATEST_COLUMNS = [("水位計ID", "string", True), ("名称", "string", True), ("観測日時", "datetime", True),
                  ("水位", "number", True), ("水位の段階", "string", False)]
DAILY_COLUMNS = [("観測日時", "datetime", True), ("水位", "number", True)]


def _schema(columns: list[tuple[str, str, bool]]) -> dict[str, Any]:
    return {"fields": [{"name": n, "type": t, **({"constraints": {"required": True}} if r else {})}
                       for n, t, r in columns], "missingValues": [""]}


def _csv(name: str, path: str, title: str, columns: list[tuple[str, str, bool]], rows: list[list[str]],
         bom: bool) -> Resource:
    return Resource(name, path, csv_bytes([c[0] for c in columns], rows, bom=bom), "csv", "text/csv", title,
                    schema=_schema(columns), encoding="utf-8-sig" if bom else "utf-8")


def _json(name: str, path: str, title: str, body: Any) -> Resource:
    return Resource(name, path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"), "json",
                    "application/json", title)


def _iso(moment: datetime) -> str:
    return as_jst(moment).isoformat(timespec="seconds")


def _stage(g: Gauge, value: float) -> str:
    reached = [k for k in LEVELS if k in g.thresholds and value >= g.thresholds[k]]
    return reached[-1] + "以上" if reached else "平常"


def _gauge_files(g: Gauge, readings: list[Reading], day: date, bom: bool) -> tuple[list[Resource], str]:
    stem, label = f"water_level_{g.id}_{day:%Y%m%d}", f"{g.name} {day.isoformat()} の水位"
    key = g.id.lower()
    svg = day_chart(f"chart-{key}", f"{g.name} の水位 {day.isoformat()}", [(r.observed_at, r.value) for r in readings],
                    {k: g.thresholds[k] for k in LEVELS if k in g.thresholds}, g.unit)
    body = {"gauge": g.id, "name": g.name, "date": day.isoformat(), "unit": g.unit,
            "readings": [{"observedAt": _iso(r.observed_at), "waterLevel": r.value} for r in readings]}
    files = [_csv(f"daily-{key}", f"{stem}.csv", label, DAILY_COLUMNS,
                  [[_iso(r.observed_at), f"{r.value:.3f}"] for r in readings], bom),
             _json(f"daily-{key}-json", f"{stem}.json", f"{label} (JSON)", body),
             Resource(f"chart-{key}", f"{stem}.svg", svg.encode("utf-8"), "svg", "image/svg+xml", f"{label}のグラフ")]
    return files, f"<h2>{escape(g.name)}の水位（{day.isoformat()}）</h2>\n<figure>{svg}</figure>"


def water_resources(series: SeriesSource, lg_code: str, day: date, *, bom: bool
                    ) -> tuple[list[Resource], Preview, dict[str, str]]:
    gauges = series.gauges()
    gauge_rows = [[g.id, g.name, f"{g.lat:.6f}", f"{g.lon:.6f}", g.unit,
                   *[f"{g.thresholds[k]:.2f}" if k in g.thresholds else "" for k in LEVELS], "町が定めた基準水位"]
                  for g in gauges]
    latest_rows, latest_json, per_gauge, pages = [], [], [], {}
    for g in gauges:
        reading = series.latest(g.id)
        if reading is not None:
            stage = _stage(g, reading.value)
            latest_rows.append([g.id, g.name, _iso(reading.observed_at), f"{reading.value:.3f}", stage])
            latest_json.append({"id": g.id, "name": g.name, "observedAt": _iso(reading.observed_at),
                                "waterLevel": reading.value, "unit": g.unit, "stage": stage})
        files, pages[g.id] = _gauge_files(g, series.daily(g.id, day), day, bom)
        per_gauge += files
    resources = [
        _csv("gauges", f"{lg_code}_water_level_gauges.csv", "水位計の一覧と基準水位", GAUGE_COLUMNS, gauge_rows, bom),
        _csv("latest", f"{lg_code}_water_level_latest.csv", "各水位計の最新値", LATEST_COLUMNS, latest_rows, bom),
        _json("latest-json", f"{lg_code}_water_level_latest.json", "各水位計の最新値 (JSON)", latest_json),
        *per_gauge]
    return resources, Preview([c[0] for c in LATEST_COLUMNS], latest_rows), pages

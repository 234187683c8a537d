"""Validation of a GTFS-JP feed against ``gtfs_jp.yaml`` and the references between files.

Errors make a feed unusable (a required file, column or value missing, a broken reference, a time or
date that is not one); warnings are worth fixing but a reader copes (an unknown column, such as a
misspelt ``agency_offilcal_name``; a 0-byte file; fare zones that are stop ids).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mappings.gtfs.feed import Feed

__all__ = ["Issue", "validate_feed"]

SPEC = Path(__file__).with_name("gtfs_jp.yaml")
_TIME = re.compile(r"(\d{1,2}):([0-5]\d):([0-5]\d)")
_DATE = re.compile(r"\d{8}")


@dataclass(frozen=True)
class Issue:
    severity: str  # error | warning
    where: str  # file or file:line
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return spec


def _valid_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return False
    return True


def _fields_of(name: str, header: list[str]) -> dict[str, bool]:
    spec = _spec()["files"][name]
    if "layouts" in spec:
        return max(spec["layouts"], key=lambda layout: len(set(layout) & set(header)))  # type: ignore[no-any-return]
    return spec["fields"]  # type: ignore[no-any-return]


def validate_feed(feed: Feed) -> list[Issue]:
    issues: list[Issue] = []
    spec = _spec()
    err = lambda where, msg: issues.append(Issue("error", where, msg))  # noqa: E731
    warn = lambda where, msg: issues.append(Issue("warning", where, msg))  # noqa: E731
    for name, file_spec in spec["files"].items():
        if file_spec.get("required") and name not in feed.files:
            err(name, "必須のファイルがありません")
    for group in spec["one_of"]:
        if not any(n in feed.files for n in group):
            err(" / ".join(group), "どれか一つが必要です")
    for name, f in feed.files.items():
        for problem in f.problems:
            err(name, problem)
        if name not in spec["files"]:
            warn(name, "GTFS-JP にないファイルです")
            continue
        if f.empty:
            warn(name, "0 バイトのファイルです (見出し行も必要です)")
            continue
        fields = _fields_of(name, f.header)
        for column in f.header:
            if column not in fields:
                warn(f"{name}:1", f"列 {column!r} は GTFS-JP にありません")
        for column, required in fields.items():
            if required and column not in f.header:
                err(f"{name}:1", f"必須の列 {column!r} がありません")
        for line, row in f.rows:
            for column, required in fields.items():
                if required and column in f.header and not row.get(column):
                    err(f"{name}:{line}", f"{column} が空です")
    _check_values(feed, err)
    _check_references(feed, err, warn)
    return issues


def _check_values(feed: Feed, err: Any) -> None:
    for line, row in feed.rows("stops.txt"):
        try:
            lat, lon = float(row.get("stop_lat") or "nan"), float(row.get("stop_lon") or "nan")
        except ValueError:
            err(f"stops.txt:{line}", "stop_lat/stop_lon が数値ではありません")
            continue
        if row.get("stop_lat") and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            err(f"stops.txt:{line}", f"座標 {lat},{lon} が範囲外です")
    last: dict[str, int] = {}
    for line, row in feed.rows("stop_times.txt"):
        for column in ("arrival_time", "departure_time"):
            if row.get(column) and not _TIME.fullmatch(row[column]):
                err(f"stop_times.txt:{line}", f"{column} {row[column]!r} は H:MM:SS ではありません")
        try:
            sequence = int(row.get("stop_sequence", ""))
        except ValueError:
            err(f"stop_times.txt:{line}", "stop_sequence が整数ではありません")
            continue
        trip = row.get("trip_id", "")
        if trip in last and sequence <= last[trip]:
            err(f"stop_times.txt:{line}", f"便 {trip} の stop_sequence が増えていません")
        last[trip] = sequence
    for name, columns in (("calendar.txt", ("start_date", "end_date")), ("calendar_dates.txt", ("date",)),
                          ("feed_info.txt", ("feed_start_date", "feed_end_date"))):
        for line, row in feed.rows(name):
            for column in columns:
                if row.get(column) and not _valid_date(row[column]):
                    err(f"{name}:{line}", f"{column} {row[column]!r} は YYYYMMDD の日付ではありません")
    for line, row in feed.rows("routes.txt"):
        if not (row.get("route_short_name") or row.get("route_long_name")):
            err(f"routes.txt:{line}", "route_short_name か route_long_name のどちらかが必要です")


def _check_references(feed: Feed, err: Any, warn: Any) -> None:
    refs = [("routes.txt", "agency_id", "agency.txt", "agency_id"),
            ("trips.txt", "route_id", "routes.txt", "route_id"),
            ("stop_times.txt", "trip_id", "trips.txt", "trip_id"),
            ("stop_times.txt", "stop_id", "stops.txt", "stop_id"),
            ("fare_rules.txt", "fare_id", "fare_attributes.txt", "fare_id"),
            ("fare_rules.txt", "route_id", "routes.txt", "route_id"),
            ("stops.txt", "parent_station", "stops.txt", "stop_id"),
            ("frequencies.txt", "trip_id", "trips.txt", "trip_id"),
            ("trips.txt", "shape_id", "shapes.txt", "shape_id"),
            ("trips.txt", "jp_office_id", "office_jp.txt", "office_id")]
    for source, column, target, key in refs:
        known = feed.column(target, key)
        for line, row in feed.rows(source):
            if row.get(column) and row[column] not in known:
                err(f"{source}:{line}", f"{column} {row[column]!r} が {target} にありません")
    services = feed.column("calendar.txt", "service_id") | feed.column("calendar_dates.txt", "service_id")
    for line, row in feed.rows("trips.txt"):
        if row.get("service_id") and row["service_id"] not in services:
            err(f"trips.txt:{line}", f"service_id {row['service_id']!r} が calendar にありません")
    zones, stops = feed.column("stops.txt", "zone_id"), feed.column("stops.txt", "stop_id")
    for line, row in feed.rows("fare_rules.txt"):
        for column in ("origin_id", "destination_id", "contains_id"):
            value = row.get(column)
            if not value or value in zones and value not in stops:
                continue
            if value in zones:
                warn(f"fare_rules.txt:{line}", f"{column} {value!r} は停留所 ID と同じ zone_id です")
            else:
                err(f"fare_rules.txt:{line}", f"{column} {value!r} は stops.txt のどの zone_id でもありません")
    used = feed.column("stop_times.txt", "trip_id")
    for line, row in feed.rows("trips.txt"):
        if row.get("trip_id") and row["trip_id"] not in used:
            warn(f"trips.txt:{line}", f"便 {row['trip_id']} に stop_times がありません")

"""The town's 自主運行バス as a GTFS-JP feed, built from ``towndata/<団体コード>/bus/feed.yaml``.

Stops are at the 大字 (each names its 大字, checked against the town's list); stop ids follow the
GTFS-JP convention 停留所コード_標柱番号. Readings (ja-Hrkt) and English names go to
``translations.txt`` in the GTFS-JP 第3版 layout. The zip is written with fixed timestamps, so the
same timetable is the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from vocab.address import OazaList
from vocab.located_yaml import Located, load_located

__all__ = ["BusFeed", "BusRoute", "BusStop", "Trip", "gtfs_files", "gtfs_zip", "load_bus"]

_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_STOP_ID = re.compile(r"\d+_\d{2}")


@dataclass(frozen=True)
class BusStop:
    id: str
    name: str
    kana: str
    en: str
    oaza: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Trip:
    id: str
    route_id: str
    times: tuple[tuple[str, int], ...]  # (stop_id, minutes after midnight)


@dataclass(frozen=True)
class BusRoute:
    id: str
    short_name: str
    long_name: str
    kana: str
    color: str
    trips: tuple[Trip, ...]


@dataclass(frozen=True)
class BusFeed:
    agency: dict[str, str]
    publisher: dict[str, str]
    start: date
    end: date
    fare_id: str
    price: int
    holidays: tuple[date, ...]
    stops: tuple[BusStop, ...]
    routes: tuple[BusRoute, ...]

    def trip(self, trip_id: str) -> Trip | None:
        return next((t for r in self.routes for t in r.trips if t.id == trip_id), None)

    def route_of(self, trip_id: str) -> BusRoute | None:
        return next((r for r in self.routes if any(t.id == trip_id for t in r.trips)), None)


def _stop(node: Located, towns: OazaList) -> BusStop:
    node.only("id", "name", "kana", "en", "oaza", "lat", "lon")
    stop_id = node["id"].text()
    if not _STOP_ID.fullmatch(stop_id):
        raise node["id"].fail(f"停留所 ID {stop_id!r} は 停留所コード_標柱番号 (例 2_01) で書いてください")
    oaza = node["oaza"].text()
    found = towns.find(oaza)
    if found is None or found.name != oaza:
        raise node["oaza"].fail(f"大字 {oaza!r} はこの町にありません")
    lat, lon = node["lat"].number(), node["lon"].number()
    if not (20 <= lat <= 46 and 122 <= lon <= 154):
        raise node["lat"].fail(f"座標 {lat},{lon} は日本の範囲にありません (緯度と経度が逆かもしれません)")
    return BusStop(stop_id, node["name"].text(), node["kana"].text(), node["en"].text(), oaza, lat, lon)


def _route(node: Located, stops: set[str]) -> BusRoute:
    node.only("id", "short_name", "long_name", "kana", "color", "stops", "minutes", "departures")
    route_id = node["id"].text()
    order = [n.text() for n in node["stops"].list()]
    minutes = [n.integer() for n in node["minutes"].list()]
    for stop in order:
        if stop not in stops:
            raise node["stops"].fail(f"停留所 {stop!r} は stops にありません")
    if len(minutes) != len(order) or minutes[0] != 0 or any(m <= 0 for m in minutes[1:]):
        raise node["minutes"].fail("minutes は停留所と同じ数で、最初が 0、あとは前の停留所からの分 (1 以上) です")
    trips = []
    for dep in node["departures"].list():
        m = _HHMM.fullmatch(dep.text())
        if not m:
            raise dep.fail(f"発車時刻 {dep.text()!r} は hh:mm で書いてください")
        t = int(m.group(1)) * 60 + int(m.group(2))
        times = []
        for stop, step in zip(order, minutes, strict=True):
            t += step
            times.append((stop, t))
        trips.append(Trip(f"{route_id}_{m.group(1)}{m.group(2)}", route_id, tuple(times)))
    return BusRoute(route_id, node["short_name"].text(), node["long_name"].text(), node["kana"].text(),
                    node["color"].text(), tuple(trips))


def load_bus(folder: Path, oaza: OazaList | None = None) -> BusFeed:
    root = load_located(folder / "feed.yaml", f"{folder.name}/feed.yaml")
    root.only("agency", "feed", "fare", "holidays", "stops", "routes")
    towns = oaza or OazaList.load()
    stops = tuple(_stop(n, towns) for n in root["stops"].list())
    routes = tuple(_route(n, {s.id for s in stops}) for n in root["routes"].list())
    feed = root["feed"]
    agency = {k: v.text() for k, v in root["agency"].items()}
    for key in ("id", "name", "url", "phone"):
        if not agency.get(key):
            raise root["agency"].fail(f"agency の {key} が必要です")
    return BusFeed(agency, {k: v.text() for k, v in feed.items() if k not in ("start", "end")},
                   feed["start"].date(), feed["end"].date(), root["fare"]["id"].text(), root["fare"]["price"].integer(),
                   tuple(n.date() for n in root["holidays"].list()), stops, routes)


def _hms(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _table(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def gtfs_files(feed: BusFeed) -> dict[str, bytes]:
    a, ymd = feed.agency, (lambda d: d.strftime("%Y%m%d"))
    translations = [["agency", "agency_name", "ja-Hrkt", a.get("name_kana", ""), "", "", a["name"]]]
    for s in feed.stops:
        translations += [["stops", "stop_name", "ja-Hrkt", s.kana, "", "", s.name],
                         ["stops", "stop_name", "en", s.en, "", "", s.name]]
    for r in feed.routes:
        translations.append(["routes", "route_short_name", "ja-Hrkt", r.kana, "", "", r.short_name])
    return {
        "agency.txt": _table(["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang",
                              "agency_phone"], [[a["id"], a["name"], a["url"], "Asia/Tokyo", "ja", a["phone"]]]),
        "agency_jp.txt": _table(["agency_id", "agency_official_name", "agency_zip_number", "agency_address"],
                                [[a["id"], a.get("official_name", a["name"]), a.get("zip_number", ""),
                                  a.get("address", "")]]),
        "stops.txt": _table(["stop_id", "stop_name", "stop_desc", "stop_lat", "stop_lon", "zone_id", "location_type"],
                            [[s.id, s.name, f"大字{s.oaza}", f"{s.lat:.6f}", f"{s.lon:.6f}", "town", "0"]
                             for s in feed.stops]),
        "routes.txt": _table(["route_id", "agency_id", "route_short_name", "route_long_name", "route_type",
                              "route_color", "route_text_color"],
                             [[r.id, a["id"], r.short_name, r.long_name, "3", r.color, "FFFFFF"] for r in feed.routes]),
        "trips.txt": _table(["route_id", "service_id", "trip_id", "trip_headsign", "direction_id"],
                            [[r.id, "weekday", t.id, r.long_name.split("〜")[-1], "0"] for r in feed.routes
                             for t in r.trips]),
        "stop_times.txt": _table(["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
                                 [[t.id, _hms(m), _hms(m), stop, str(i)] for r in feed.routes for t in r.trips
                                  for i, (stop, m) in enumerate(t.times, start=1)]),
        "calendar.txt": _table(["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                "sunday", "start_date", "end_date"],
                               [["weekday", "1", "1", "1", "1", "1", "0", "0", ymd(feed.start), ymd(feed.end)]]),
        "calendar_dates.txt": _table(["service_id", "date", "exception_type"],
                                     [["weekday", ymd(d), "2"] for d in feed.holidays]),
        "fare_attributes.txt": _table(["fare_id", "price", "currency_type", "payment_method", "transfers"],
                                      [[feed.fare_id, str(feed.price), "JPY", "0", "0"]]),
        "fare_rules.txt": _table(["fare_id", "route_id"], [[feed.fare_id, r.id] for r in feed.routes]),
        "feed_info.txt": _table(["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date",
                                 "feed_end_date", "feed_version"],
                                [[feed.publisher["publisher_name"], feed.publisher["publisher_url"], "ja",
                                  ymd(feed.start), ymd(feed.end), feed.publisher.get("version", "")]]),
        "translations.txt": _table(["table_name", "field_name", "language", "translation", "record_id",
                                    "record_sub_id", "field_value"], translations),
    }


def gtfs_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    return buffer.getvalue()


def service_days(feed: BusFeed) -> list[date]:
    days, day = [], feed.start
    while day <= feed.end:
        if day.weekday() < 5 and day not in feed.holidays:
            days.append(day)
        day += timedelta(days=1)
    return days

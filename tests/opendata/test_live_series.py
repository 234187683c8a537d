"""Live series: GTFS-Realtime built with gtfs-realtime-bindings and parsed back; water levels as
CSV, JSON and an SVG chart, from observations inserted through the read interface."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import frictionless
import pytest
from google.transit import gtfs_realtime_pb2 as rt
from lxml import etree

from adapters.outbound.opendata.build import BuildOptions, build_site, default_town_folder
from adapters.outbound.opendata.gtfs import load_bus
from adapters.outbound.opendata.gtfs_rt import feed_bytes
from adapters.outbound.opendata.series import BusPosition, MemorySeries, Reading
from adapters.outbound.opendata.water import water_resources
from tests.opendata.observations import GAUGE, NOW, sample_series


def _parse(data: bytes) -> rt.FeedMessage:
    message = rt.FeedMessage()
    message.ParseFromString(data)
    assert message.header.gtfs_realtime_version == "2.0" and message.header.timestamp == int(NOW.timestamp())
    return message


def test_gtfs_realtime_round_trip() -> None:
    feed, positions = load_bus(default_town_folder() / "bus"), sample_series().bus_positions()
    updates = _parse(feed_bytes("trip_updates", feed, positions, NOW))
    assert len(updates.entity) == 1
    update = updates.entity[0].trip_update
    assert update.trip.trip_id == "kita_0730" and update.trip.route_id == "kita" and update.delay == 420
    assert [s.stop_id for s in update.stop_time_update] == ["2_01", "3_01", "6_01", "1_01"]
    assert update.stop_time_update[0].stop_sequence == 4 and update.stop_time_update[0].arrival.delay == 420
    vehicles = _parse(feed_bytes("vehicle_positions", feed, positions, NOW))
    by_id = {e.vehicle.vehicle.id: e.vehicle for e in vehicles.entity}
    assert by_id["bus-01"].position.latitude == pytest.approx(35.0851)
    assert by_id["bus-01"].current_status == rt.VehiclePosition.IN_TRANSIT_TO
    assert not by_id["bus-02"].HasField("trip")
    alerts = _parse(feed_bytes("alerts", feed, positions, NOW))
    alert = alerts.entity[0].alert
    assert alert.effect == rt.Alert.SIGNIFICANT_DELAYS and alert.informed_entity[0].route_id == "kita"
    texts = {t.language: t.text for t in alert.header_text.translation}
    assert texts["ja"] == "北回り 7:30発の便が約7分遅れています" and set(texts) == {"ja", "ja-Hrkt", "en"}


def test_positions_keep_the_newest_per_vehicle() -> None:
    series = MemorySeries()
    series.add_position(BusPosition("bus-01", None, 35.07, 136.78, NOW))
    series.add_position(BusPosition("bus-01", None, 35.08, 136.78, NOW - timedelta(minutes=1)))
    assert series.bus_positions()[0].lat == 35.07
    with pytest.raises(ValueError, match="time zone"):
        MemorySeries([GAUGE]).add(Reading(GAUGE.id, datetime(2026, 11, 27), 1.0))


def test_water_level_files() -> None:
    resources, preview, pages = water_resources(sample_series(), "243035", date(2026, 11, 27), bom=False)
    files = {r.path: r.data for r in resources}
    latest = list(csv.DictReader(io.StringIO(files["243035_water_level_latest.csv"].decode())))
    assert latest == [{"水位計ID": GAUGE.id, "名称": GAUGE.name, "観測日時": "2026-11-27T07:50:00+09:00",
                       "水位": "1.440", "水位の段階": "避難判断水位以上"}]
    daily = json.loads(files["water_level_wl-genroku-01_20261127.json"])
    assert len(daily["readings"]) == 48 and daily["readings"][0]["observedAt"] == "2026-11-27T00:00:00+09:00"
    svg = etree.fromstring(files["water_level_wl-genroku-01_20261127.svg"])
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert svg.get("role") == "img" and svg.find("s:title", ns).text == "源緑輪中 排水路 水位計 の水位 2026-11-27"
    assert "最新 07:50 に 1.44m" in svg.find("s:desc", ns).text
    assert len(svg.find("s:polyline", ns).get("points").split()) == 48
    assert len(svg.findall("s:line", ns)) == 4 and "<svg" in pages[GAUGE.id] and "<script" not in pages[GAUGE.id]


def test_published_with_the_rest_and_valid(tmp_path: Path) -> None:
    result = build_site(default_town_folder(), tmp_path, BuildOptions(
        now=NOW, as_of=date(2026, 11, 27), series=sample_series()))
    assert {"water_level", "bus"} <= {p.id for p in result.published}
    for name in ("water_level", "bus"):
        report = frictionless.validate(str(tmp_path / name / "v1" / "datapackage.json"))
        assert report.valid, report.flatten(["type", "note"])
    page = (tmp_path / "water_level" / "index.html").read_text(encoding="utf-8")
    assert "<svg" in page and "源緑輪中 排水路 水位計の水位" in page
    bus_page = (tmp_path / "bus" / "index.html").read_text(encoding="utf-8")
    assert "/opendata/bus/realtime/vehicle_positions.pb" in bus_page


def test_without_observations_the_water_dataset_is_skipped_not_faked(tmp_path: Path) -> None:
    result = build_site(default_town_folder(), tmp_path, BuildOptions(now=NOW, as_of=date(2026, 11, 27)))
    assert "water_level" not in {p.id for p in result.published}
    assert any(s.startswith("water_level:") for s in result.skipped)

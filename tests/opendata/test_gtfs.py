"""GTFS-JP: three real feeds read as they are and validated (their real quirks found, nothing else),
the town's own feed complete with every required file and field, and faults reported with file and
line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from adapters.outbound.opendata.build import default_town_folder
from adapters.outbound.opendata.gtfs import gtfs_files, gtfs_zip, load_bus
from mappings.gtfs.feed import read_feed
from mappings.gtfs.validate import _spec, validate_feed
from tests.opendata.shared import shared_data
from vocab.address import OazaList

FEEDS = ["gunma-uenomura-noriai-taxi", "toyama-nyuzen-shinkansen-liner", "kyoto-sangyo-univ-shuttle"]


def _issues(name: str) -> list[str]:
    return [str(i) for i in validate_feed(read_feed(shared_data("gtfs-sample", name)))]


def test_uenomura_quirks() -> None:
    issues = _issues("gunma-uenomura-noriai-taxi")
    assert not [i for i in issues if i.startswith("error")]
    assert "warning: agency_jp.txt:1: 列 'agency_offilcal_name' は GTFS-JP にありません" in issues
    zone = [i for i in issues if "は停留所 ID と同じ zone_id です" in i]
    assert len(zone) == len(issues) - 1 and zone[0].startswith("warning: fare_rules.txt:2: origin_id")
    feed = read_feed(shared_data("gtfs-sample", "gunma-uenomura-noriai-taxi"))
    assert feed.files["agency_jp.txt"].rows == [] and not feed.files["stops.txt"].bom
    assert len(feed.rows("stops.txt")) == 16 and len(feed.rows("stop_times.txt")) == 56


def test_nyuzen_bom_and_short_times() -> None:
    assert _issues("toyama-nyuzen-shinkansen-liner") == []
    feed = read_feed(shared_data("gtfs-sample", "toyama-nyuzen-shinkansen-liner"))
    assert all(f.bom for f in feed.files.values())
    assert "agency_id" in feed.files["agency.txt"].header  # the BOM is not part of the first name
    assert any(r["arrival_time"] == "9:55:00" for _, r in feed.rows("stop_times.txt"))


def test_kyoto_third_edition() -> None:
    assert _issues("kyoto-sangyo-univ-shuttle") == [
        "warning: frequencies.txt: 0 バイトのファイルです (見出し行も必要です)"]
    feed = read_feed(shared_data("gtfs-sample", "kyoto-sangyo-univ-shuttle"))
    assert "上賀茂神社前" in feed.column("stops.txt", "stop_name")  # quoted in the file
    assert "platform_code" in feed.files["stops.txt"].header and "pattern_jp.txt" in feed.files


def _town_files() -> dict[str, bytes]:
    return gtfs_files(load_bus(default_town_folder() / "bus"))


def test_town_feed_has_every_required_file_and_field() -> None:
    files = _town_files()
    spec = _spec()["files"]
    assert {n for n, s in spec.items() if s.get("required")} <= set(files)
    feed = read_feed(gtfs_zip(files))
    assert validate_feed(feed) == []
    for name, f in feed.files.items():
        fields = spec[name].get("fields") or spec[name]["layouts"][1]
        assert {c for c, required in fields.items() if required} <= set(f.header), name
    names = {o.name for o in OazaList.load()}
    assert all(r["stop_desc"].removeprefix("大字") in names for _, r in feed.rows("stops.txt"))
    assert {r["language"] for _, r in feed.rows("translations.txt")} == {"ja-Hrkt", "en"}
    assert gtfs_zip(files) == gtfs_zip(_town_files())  # the same timetable is the same bytes


@pytest.mark.parametrize("file, old, new, expected", [
    ("stops.txt", "35.071600", "", "error: stops.txt:2: stop_lat が空です"),
    ("stop_times.txt", "kita_0730,07:30:00,07:30:00,1_01", "kita_0730,07:30:00,07:30:00,99_01",
     "error: stop_times.txt:2: stop_id '99_01' が stops.txt にありません"),
    ("stop_times.txt", "kita_0730,07:34:00,07:34:00", "kita_0730,7.34,07:34:00",
     "error: stop_times.txt:3: arrival_time '7.34' は H:MM:SS ではありません"),
    ("calendar.txt", "20270331", "20270231",
     "error: calendar.txt:2: end_date '20270231' は YYYYMMDD の日付ではありません"),
    ("routes.txt", "route_type", "route_kind", "error: routes.txt:1: 必須の列 'route_type' がありません"),
])
def test_faults_are_reported_with_file_and_line(file: str, old: str, new: str, expected: str) -> None:
    files = _town_files()
    assert old.encode() in files[file]
    files[file] = files[file].replace(old.encode(), new.encode(), 1)
    assert expected in [str(i) for i in validate_feed(read_feed(gtfs_zip(files)))]


def test_missing_file_and_hostile_zip() -> None:
    files = _town_files()
    del files["feed_info.txt"], files["translations.txt"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr("../../etc/evil.txt", b"x")
        z.writestr("translations.txt", b"table_name\n" + "漢字".encode("cp932"))
    issues = [str(i) for i in validate_feed(read_feed(buffer.getvalue()))]
    assert "error: feed_info.txt: 必須のファイルがありません" in issues
    assert any("translations.txt: UTF-8 ではありません" in i for i in issues)
    assert not any("evil" in i for i in issues)


def test_stops_must_be_at_an_oaza(tmp_path: Path) -> None:
    from vocab.located_yaml import DataFileError

    folder = tmp_path / "bus"
    folder.mkdir()
    text = (default_town_folder() / "bus" / "feed.yaml").read_text(encoding="utf-8")
    (folder / "feed.yaml").write_text(text.replace("oaza: 雁ケ地", "oaza: 長島"), encoding="utf-8")
    with pytest.raises(DataFileError, match="大字 '長島' はこの町にありません"):
        load_bus(folder)

"""The town's ごみ data as published: 5374 files that a 5374 reader takes without a problem, an
iCalendar per area that a calendar program expands to exactly the town's collection days, and IMI
JSON-LD listing the same days."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from adapters.outbound.opendata.build import default_town_folder
from adapters.outbound.opendata.gomi import BUNBETSU_COLUMNS, gomi_resources
from adapters.outbound.opendata.types import Resource
from broker.clock import JST
from mappings.opendata.rows import Town
from vocab.gomi.five374 import read_5374
from vocab.gomi.town import GomiData, load_gomi

TOWN = Town("243035", "三重県", "木曽岬町")
STAMP = datetime(2026, 11, 29, 9, 0, tzinfo=JST)


@pytest.fixture(scope="module")
def gomi() -> GomiData:
    return load_gomi(default_town_folder() / "gomi")


@pytest.fixture(scope="module")
def resources(gomi: GomiData) -> dict[str, Resource]:
    return {r.path: r for r in gomi_resources(gomi, TOWN, bom=False, stamp=STAMP)[0]}


def test_5374_files_read_back_without_problems(resources: dict[str, Resource], tmp_path: Path,
                                               gomi: GomiData) -> None:
    for file in ("area_days.csv", "center.csv", "description.csv", "target.csv", "remarks.csv"):
        (tmp_path / file).write_bytes(resources[file].data)
    ds = read_5374(tmp_path)
    assert ds.problems == []
    assert ds.labels == [c.label for c in gomi.categories]
    assert [a.name for a in ds.areas] == [a.title for a in gomi.areas]
    assert ds.centers[0].closed_from == date(2026, 12, 31)
    assert resources["area_days.csv"].data.decode().splitlines()[0] == "地名,センター," + ",".join(ds.labels)


def _expand(event: object) -> set[date]:
    start = event["dtstart"].dt  # type: ignore[index]
    days = {start}
    if "rrule" in event:  # type: ignore[operator]
        rule = event["rrule"].to_ical().decode()  # type: ignore[index]
        days = {d.date() for d in rrulestr(rule, dtstart=datetime.combine(start, datetime.min.time()))}
    for key in ("rdate", "exdate"):
        values = event.get(key, [])  # type: ignore[attr-defined]
        dates = {d.dt for v in (values if isinstance(values, list) else [values]) for d in v.dts}
        days = days | dates if key == "rdate" else days - dates
    return days


def test_icalendar_expands_to_the_collection_days(resources: dict[str, Resource], gomi: GomiData) -> None:
    for area in gomi.areas:
        cal = Calendar.from_ical(resources[f"gomi_{area.id}.ics"].data)
        assert cal["version"] == "2.0" and cal["prodid"]
        got: dict[str, set[date]] = {}
        for event in cal.walk("VEVENT"):
            assert event["uid"] and event["dtstamp"]
            got.setdefault(str(event["summary"]), set()).update(_expand(event))
        for category in gomi.categories:
            want = set(gomi.collection_days(area, category.label))
            assert got.get(category.label, set()) == want, (area.id, category.label)
        assert date(2027, 1, 1) not in set().union(*got.values())  # the centre is closed


def test_icalendar_uses_rrule_for_rules(resources: dict[str, Resource]) -> None:
    text = resources["gomi_hokubu.ics"].data.decode()
    assert "RRULE:FREQ=WEEKLY;UNTIL=20270331;BYDAY=MO,TH" in text
    assert "BYMONTH=4,6,8,10,12,2" in text and "BYDAY=2TU" in text
    assert "EXDATE;VALUE=DATE:20261231" in text


def test_imi_jsonld_lists_the_same_days(resources: dict[str, Resource], gomi: GomiData) -> None:
    doc = json.loads(resources["243035_gomi.jsonld"].data)
    assert doc["@context"][0] == "https://imi.go.jp/ns/core/context.jsonld"
    services = {s["ID"]["識別値"]: s for s in doc["@graph"]}
    service = services["243035-gomi-nambu-燃やすごみ"]
    assert service["@type"] == "サービス型" and service["提供者"]["ID"]["識別値"] == "243035"
    days = [date.fromisoformat(d["標準型日付"]) for d in service["chipla:収集日"]["開催期日"]]
    assert days == gomi.collection_days(gomi.areas[2], "燃やすごみ")


def test_bunbetsu_csv(resources: dict[str, Resource], gomi: GomiData) -> None:
    lines = resources["243035_gomi_bunbetsu.csv"].data.decode().splitlines()
    assert lines[0] == ",".join(BUNBETSU_COLUMNS)
    assert lines[1].startswith("243035,243035S00001,木曽岬町,アルミ缶,資源（びん・缶・ペットボトル）")
    assert len(lines) == 1 + len(gomi.items)

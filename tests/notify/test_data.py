"""The timetable and calendar readers on real published files (read as they are: BOM, CRLF, hours
without a leading zero, month filters, centre closures), and the rules file checks."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from adapters.outbound.opendata.build import default_town_folder
from broker.services.notify import definitions
from broker.services.notify.gomi_calendar import Calendar5374, CalendarInvalid, TownCalendar, read_calendar
from broker.services.notify.rules.water import WaterLevelRule
from broker.services.notify.timetable import GtfsTimetable

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def shared(path: str) -> Path:
    found = SHARED / path
    if not found.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{found} is missing")
        pytest.skip(f"real data not present: {found}")
    return found


def test_real_gtfs_jp_feed_with_bom_crlf_and_short_hours() -> None:
    feed = GtfsTimetable.read(shared("gtfs-sample/toyama-nyuzen-shinkansen-liner"))
    trips = feed.trips()
    assert len(trips) == 44
    first = feed.trip("2_2+土日+2")
    assert first is not None and first.route_id == "2_2"
    assert (first.stops[0].stop_id, first.stops[0].seconds) == ("15_1", 7 * 3600 + 8 * 60)
    assert [s.seq for s in first.stops] == sorted(s.seq for s in first.stops)


def test_real_5374_calendar_with_month_filters_and_closure() -> None:
    cal = Calendar5374.read(shared("opendata-5374/ibaraki-town"))
    assert len(cal.areas()) == 99
    # 秋葉: 燃えるごみ 月 木; 無色のビン 水2 in even months; 2018-12-31 … 2019-01-02 the centre is closed
    assert cal.collections("秋葉", date(2018, 12, 3)) == ["燃えるごみ"]
    assert "無色のビン" in cal.collections("秋葉", date(2018, 12, 12))  # 2nd Wednesday of December
    assert "無色のビン" not in cal.collections("秋葉", date(2019, 1, 9))  # January is not listed
    assert cal.collections("秋葉", date(2018, 12, 31)) == []  # a Monday, but the centre is closed
    assert cal.collections("秋葉", date(2019, 1, 3)) == ["燃えるごみ"]


def test_a_dropped_token_is_named_and_the_rest_of_the_calendar_kept() -> None:
    cal = Calendar5374.read(shared("opendata-5374/iga"))
    bad = [p for p in cal.problems if "201411021" in p.message]
    assert bad and all(p.file.endswith("area_days.csv") and p.line > 1 for p in bad)
    assert cal.areas() and any(cal.collections(a, date(2014, 6, d)) for a in cal.areas() for d in range(2, 9))


def test_reminders_read_the_calendar_the_town_publishes() -> None:
    """The town's own calendar.yaml (published as open data): residents choose their 大字."""
    cal = read_calendar(default_town_folder() / "gomi")
    assert isinstance(cal, TownCalendar)
    assert {"加路戸", "栄", "三崎"} <= set(cal.areas())
    assert cal.collections("加路戸", date(2026, 12, 7)) == ["燃やすごみ"]  # 北部, a 1st Monday
    assert cal.collections("栄", date(2026, 12, 7)) == ["資源（びん・缶・ペットボトル）"]  # 中部: 月1 月3
    assert cal.collections("加路戸", date(2026, 12, 31)) == []  # a Thursday, but the centre is closed
    assert cal.collections("加路戸", date(2027, 1, 4)) == ["燃やすごみ"]
    assert cal.collections("どこでもない", date(2026, 12, 7)) == []


def test_a_calendar_folder_that_is_neither_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CalendarInvalid):
        read_calendar(tmp_path)


def test_rules_file_is_checked_at_start(tmp_path: Path) -> None:
    town = definitions.load(definitions.DEFAULT_RULES)
    assert town.lg_code == "243035" and {r.kind for r in town.rules} == set(definitions.RULE_KINDS)
    bad = tmp_path / "rules.yaml"
    bad.write_text(definitions.DEFAULT_RULES.read_text(encoding="utf-8").replace('"243035"', '"243036"'),
                   encoding="utf-8")
    with pytest.raises(definitions.RulesInvalid, match="検査数字"):
        definitions.load(bad)
    water = next(r for r in town.rules if r.kind == "water_level")
    flipped = definitions.RuleDef(water.id, water.kind, {**water.params, "levels": {
        "水防団待機水位": 0.8, "はん濫注意水位": 0.7, "避難判断水位": 1.4, "はん濫危険水位": 1.7}})
    with pytest.raises(definitions.RulesInvalid, match="increase"):
        WaterLevelRule("243035", flipped)

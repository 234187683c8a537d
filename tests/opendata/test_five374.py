"""5374.jp data of four real municipalities: every set loads with its quirks, the one malformed
date is reported with file and line while the rest is kept, and every file is written back byte for
byte except the lines where a repair was made."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.opendata.shared import shared_data
from vocab.gomi.days import WEEKDAYS, DayCell, DayToken, parse_cell
from vocab.gomi.five374 import FILES, Invalid5374, read_5374, write_5374

SETS = ["kanazawa", "kamisunagawa", "ibaraki-town", "iga"]


def _set(name: str) -> Path:
    return shared_data("opendata-5374", name)


@pytest.mark.parametrize("name", SETS)
def test_republished_byte_for_byte_where_nothing_was_repaired(name: str) -> None:
    folder = _set(name)
    ds = read_5374(folder)
    repaired = {(p.file.split("/")[-1], p.line) for p in ds.problems}
    out = write_5374(ds)
    assert set(out) == {f for f in FILES if (folder / f).exists()}
    for file, data in out.items():
        source = (folder / file).read_bytes()
        if not any(f == file for f, _ in repaired):
            assert data == source, f"{name}/{file} changed"
            continue
        newline = b"\r\n" if b"\r\n" in source else b"\n"
        for number, (a, b) in enumerate(zip(source.split(newline), data.split(newline), strict=True), start=1):
            assert (a == b) != ((file, number) in repaired), f"{name}/{file}:{number}"


def test_malformed_date_reported_with_file_and_line_and_the_rest_kept() -> None:
    ds = read_5374(_set("iga"))
    assert [str(p) for p in ds.problems] == [
        f"iga/area_days.csv:{n}: '201411021': 日付は YYYYMMDD の 8 桁です" for n in (2, 3, 4, 5)]
    row = ds.areas[0]
    column = next(i for i, c in enumerate(row.cells) if any(e.token == "201411021" for e in c.dropped))
    kept = row.cells[column]
    assert date(2014, 11, 2) not in [t.on for t in kept.days]
    assert len(kept.days) > 20 and kept.remarks  # the other dates of the cell and its *N survive


def test_quirks_of_each_set_are_understood() -> None:
    kanazawa = read_5374(_set("kanazawa"))
    assert kanazawa.area_header[0] == "校下・地区" and len(kanazawa.areas) == 71
    assert not kanazawa.layouts["area_days.csv"].final_newline
    assert kanazawa.layouts["description.csv"].newline == "\r\n" and kanazawa.remarks == []
    kami = read_5374(_set("kamisunagawa"))
    assert kami.target_header[0] == "label" and kami.targets[0].label == kami.categories[0].label
    assert kami.layouts["description.csv"].trailing_blank_lines == 1 and kami.centers == []
    ibaraki = read_5374(_set("ibaraki-town"))
    assert ibaraki.remarks_header is None and len(ibaraki.description_header) == 6
    assert all(len(c.values) == 4 for c in ibaraki.categories)  # 5 fields under a 6-name header
    filtered = [c for a in ibaraki.areas for c in a.cells if c.months]
    assert filtered and filtered[0].months in ((4, 6, 8, 10, 12, 2), (5, 7, 9, 11, 1, 3))
    iga = read_5374(_set("iga"))
    explicit = iga.areas[0].cells[0]
    assert explicit.days[0].on == date(2014, 4, 3) and explicit.remarks
    assert {r.id for r in iga.remarks} == set(range(1, 9))
    assert iga.centers[0].closed_from == date(2014, 12, 31)


def test_month_filter_and_nth_weekday_select_the_right_days() -> None:
    cell = parse_cell("水2:4 6 8 10 12 2")
    days = list(cell.occurrences(date(2018, 4, 1), date(2019, 3, 31)))
    assert days[0] == date(2018, 4, 11) and len(days) == 6
    assert {d.month for d in days} == {4, 6, 8, 10, 12, 2}
    assert parse_cell("水1 水3 水5").matches(date(2018, 5, 30))  # a 5th Wednesday


@pytest.mark.parametrize("text, reason", [
    ("月 201411021", "8 桁"), ("火6", "どれでもありません"), ("20140231", "存在しない日付"),
    ("水2:13", "1 から 12"), ("月  木", "どれでもありません")])
def test_bad_tokens_are_dropped_with_a_reason(text: str, reason: str) -> None:
    cell = parse_cell(text)
    assert cell.dropped and reason in str(cell.dropped[0])


def test_unreadable_sets_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(Invalid5374, match="area_days.csv が必要"):
        read_5374(tmp_path)
    for file in FILES[:4]:
        (tmp_path / file).write_bytes("名称\n".encode())
    (tmp_path / "target.csv").write_bytes("type,name\n不燃,".encode("cp932") + b"\x82\xa0\n")
    with pytest.raises(Invalid5374, match="target.csv: UTF-8 ではありません"):
        read_5374(tmp_path)


_token = st.one_of(
    st.builds(lambda w, n: DayToken(weekday=w, nth=n), st.integers(0, 6), st.none() | st.integers(1, 5)),
    st.builds(lambda d: DayToken(on=d), st.dates(date(2000, 1, 1), date(2099, 12, 31))))


@given(st.lists(_token, min_size=1, max_size=6), st.lists(st.integers(1, 12), max_size=6),
       st.lists(st.integers(1, 99), max_size=2))
def test_any_cell_in_the_grammar_round_trips(days: list[DayToken], months: list[int], remarks: list[int]) -> None:
    cell = DayCell(tuple(days), tuple(months), tuple(remarks))
    assert parse_cell(cell.text()) == cell


@given(st.text(alphabet=WEEKDAYS + "0123456789 :*x", max_size=30))
def test_any_text_parses_without_raising_and_keeps_what_it_understood(text: str) -> None:
    cell = parse_cell(text)
    again = parse_cell(cell.text())
    assert again == cell and not again.dropped

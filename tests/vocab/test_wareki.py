import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vocab import wareki
from vocab.eras import all_eras, era_by_token, era_of


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("令和二年十二月三十一日", "2020-12-31"),
        ("平成三十一年四月三十日", "2019-04-30"),
        ("令和元年5月1日", "2019-05-01"),
        ("令和元年五月一日", "2019-05-01"),
        ("平成元年1月8日", "1989-01-08"),
        ("R2.12.31", "2020-12-31"),
        ("H31.4.30", "2019-04-30"),
        ("S64.1.7", "1989-01-07"),
        ("R2-1-1", "2020-01-01"),
        ("R02/01/01", "2020-01-01"),
        ("r2.1.1", "2020-01-01"),
        ("Ｒ２．１２．３１", "2020-12-31"),
        ("令和２年１２月３１日", "2020-12-31"),
        ("平31.4.30", "2019-04-30"),
        ("㍻31年4月30日", "2019-04-30"),
        ("令和 2年 1月 1日（水）", "2020-01-01"),
        ("2020-12-31", "2020-12-31"),
        ("2020/12/31", "2020-12-31"),
        ("2020.12.31", "2020-12-31"),
        ("2020年12月31日", "2020-12-31"),
        ("西暦2020年12月31日", "2020-12-31"),
        ("二〇二〇年十二月三十一日", "2020-12-31"),
        ("20201231", "2020-12-31"),
        ("1872-03-01", "1872-03-01"),
    ],
)
def test_parse(text: str, iso: str) -> None:
    assert wareki.parse(text) == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("令和2年12月", "2020-12"),
        ("令和2年", "2020"),
        ("令和2年00月00日", "2020"),
        ("令和2年12月00日", "2020-12"),
        ("R2.12.00", "2020-12"),
        ("R2.00.00", "2020"),
        ("2020-12", "2020-12"),
        ("2020年", "2020"),
        ("平成31年4月", "2019-04"),
        ("昭和64年1月", "1989-01"),
        ("明治5年", "1872"),
    ],
)
def test_reduced_precision_never_invents_a_day(text: str, iso: str) -> None:
    assert wareki.parse(text) == iso


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("昭和64年1月8日", "1989-01-07"),
        ("平成31年5月1日", "2019-04-30"),
        ("令和元年4月30日", "2019-05-01"),
        ("令和元年4月", "2019-05-01"),
        ("平成31年5月", "2019-04-30"),
        ("平成元年1月7日", "1989-01-08"),
        ("大正15年12月25日", "1926-12-24"),
        ("明治45年7月30日", "1912-07-29"),
        ("昭和65年1月1日", "no year 65"),
        ("平成0年1月1日", "no year 0"),
        ("令和2年2月30日", "no day 30"),
        ("2021-02-29", "no day 29"),
        ("令和2年13月1日", "no month 13"),
        ("R2.00.15", "without a month"),
        ("明治5年3月1日", "lunisolar"),
        ("明治元年10月23日", "lunisolar"),
        ("abc", "not a recognised"),
        ("", "empty"),
        ("令和2年12月31", "not a recognised"),
        ("X2.1.1", "not a recognised"),
    ],
)
def test_dates_that_never_existed_are_refused_with_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        wareki.parse(text)


@pytest.mark.parametrize(
    ("last", "first"),
    [
        ("1912-07-29", "1912-07-30"),
        ("1926-12-24", "1926-12-25"),
        ("1989-01-07", "1989-01-08"),
        ("2019-04-30", "2019-05-01"),
    ],
)
def test_era_boundaries_on_both_sides(last: str, first: str) -> None:
    before, after = wareki.to_wareki(last), wareki.to_wareki(first)
    assert before[0] != after[0]
    assert after[1] == 1
    assert wareki.parse(wareki.format_wareki(last)) == last
    assert wareki.parse(wareki.format_wareki(first)) == first


def test_to_wareki_and_format() -> None:
    assert wareki.to_wareki("2019-05-01") == ("令和", 1, 5, 1)
    assert wareki.to_wareki(dt.date(1989, 1, 7)) == ("昭和", 64, 1, 7)
    assert wareki.format_wareki("2019-05-01") == "令和元年5月1日"
    assert wareki.format_wareki("2020-12-31") == "令和2年12月31日"
    assert wareki.format_wareki("1989-01-07", style="short") == "S64.1.7"
    with pytest.raises(ValueError, match="style"):
        wareki.format_wareki("2020-12-31", style="kanji-numerals")


@pytest.mark.parametrize("bad", ["1872-12-31", "2020-12", "2020-02-30", "not a date"])
def test_to_wareki_refuses(bad: str) -> None:
    with pytest.raises(ValueError):
        wareki.to_wareki(bad)


@pytest.mark.parametrize(
    ("fields", "iso"),
    [
        (("4", "31", "04", "30"), "2019-04-30"),
        (("5", "01", "05", "01"), "2019-05-01"),
        (("3", "64", "01", "07"), "1989-01-07"),
        (("3", "64", "01", "00"), "1989-01"),
        (("5", "02", "00", "00"), "2020"),
        (("5", "02", "  ", "  "), "2020"),
        (("04", "31", "04", "30"), "2019-04-30"),
        (("1", "06", "01", "01"), "1873-01-01"),
    ],
)
def test_from_legacy(fields: tuple[str, str, str, str], iso: str) -> None:
    assert wareki.from_legacy(*fields) == iso


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (("3", "64", "01", "08"), "1989-01-07"),
        (("5", "01", "04", "30"), "2019-05-01"),
        (("6", "01", "01", "01"), "nengo_1digit"),
        (("4", "  ", "01", "01"), "year is blank"),
        (("4", "3a", "01", "01"), "not digits"),
        (("4", "31", "00", "15"), "without a month"),
    ],
)
def test_from_legacy_refuses(fields: tuple[str, str, str, str], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        wareki.from_legacy(*fields)


def test_packed_forms() -> None:
    assert wareki.from_legacy_packed("4310430") == "2019-04-30"
    assert wareki.from_legacy_packed("5010501") == "2019-05-01"
    assert wareki.from_legacy_packed("3640100") == "1989-01"
    assert wareki.from_legacy_packed("05020101") == "2020-01-01"
    assert wareki.to_legacy("2019-04-30") == ("4", "31", "04", "30")
    assert wareki.to_legacy_packed("2019-05-01") == "5010501"
    for bad in ("431043", "4310430X", "43104301x", "3640108"):
        with pytest.raises(ValueError):
            wareki.from_legacy_packed(bad)


def test_era_table() -> None:
    names = [era.name for era in all_eras()]
    assert names == ["明治", "大正", "昭和", "平成", "令和"]
    assert era_by_token("H").name == "平成"
    assert era_by_token("heisei").last_era_year() == 31
    assert era_of(dt.date(1868, 10, 23)).name == "明治"
    with pytest.raises(ValueError, match="before 明治"):
        era_of(dt.date(1868, 10, 22))


DATES = st.dates(min_value=dt.date(1873, 1, 1), max_value=dt.date(2100, 12, 31))


@given(DATES)
def test_round_trip_through_full_wareki_text(day: dt.date) -> None:
    assert wareki.parse(wareki.format_wareki(day)) == day.isoformat()


@given(DATES)
def test_round_trip_through_short_wareki_text(day: dt.date) -> None:
    assert wareki.parse(wareki.format_wareki(day, style="short")) == day.isoformat()


@given(DATES)
def test_round_trip_through_legacy_fields(day: dt.date) -> None:
    assert wareki.from_legacy_packed(wareki.to_legacy_packed(day)) == day.isoformat()


@given(DATES)
def test_round_trip_through_kanji_numerals(day: dt.date) -> None:
    name, year, month, dom = wareki.to_wareki(day)
    digits = "〇一二三四五六七八九"

    def kanji(number: int) -> str:
        tens, ones = divmod(number, 10)
        tens_part = "" if tens == 0 else ("" if tens == 1 else digits[tens]) + "十"
        return tens_part + ("" if ones == 0 else digits[ones])

    text = f"{name}{'元' if year == 1 else kanji(year)}年{kanji(month)}月{kanji(dom)}日"
    assert wareki.parse(text) == day.isoformat()


@settings(max_examples=400)
@given(code=st.sampled_from(["0", "1", "2", "3", "4", "5", "6", "9", "00", "01", "03", "04", "05", "07"]),
       year=st.integers(0, 99), month=st.integers(0, 13), day=st.integers(0, 32))
def test_packed_dates_read_as_the_split_fields_say(code: str, year: int, month: int, day: int) -> None:
    """The packed reader's short path answers exactly what `from_legacy` answers, or leaves it to it."""
    packed = f"{code}{year:02d}{month:02d}{day:02d}"
    try:
        expected: str | type[ValueError] = wareki.from_legacy(code, f"{year:02d}", f"{month:02d}", f"{day:02d}")
    except ValueError:
        expected = ValueError
    if expected is ValueError:
        with pytest.raises(ValueError):
            wareki.from_legacy_packed(packed)
    else:
        assert wareki.from_legacy_packed(packed) == expected

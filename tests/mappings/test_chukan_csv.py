"""中間標準レイアウト-style CSV ↔ canonical: round trip, legacy normalisation, header contract."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mappings
from mappings.csv_layout import CsvHeaderError, read_rows, write_rows
from mappings.layout_catalog import csv_layout
from vocab import codelists
from vocab.address import OazaList

LAYOUT = csv_layout("csv.chukan_jumin")
KISOSAKI = "三重県桑名郡木曽岬町"

_kanji = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA0), min_size=1, max_size=5)
_kana = st.text(
    st.sampled_from(
        "アイウエオカキクケコガギサシスセソタチツテトナニヌネノハバパマミムメモヤユヨラリルレロワヲンー"
    ),
    min_size=1,
    max_size=8,
)
_space = st.sampled_from([" ", "\u3000"])
_name = st.builds(lambda sei, sep, mei: f"{sei}{sep}{mei}", _kanji, _space, _kanji)
_kana_name = st.builds(lambda sei, mei: f"{sei} {mei}", _kana, _kana)
_date = st.dates(min_value=dt.date(1873, 1, 1), max_value=dt.date(2030, 12, 31)).map(
    lambda day: day.isoformat()
)


def _digits(size: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from("0123456789"), min_size=size, max_size=size)


def _optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


_banchi = st.builds(
    lambda main, sub: main if sub is None else f"{main}-{sub}",
    st.integers(1, 9999).map(str),
    st.one_of(st.none(), st.integers(1, 99).map(str)),
)
_address = st.builds(
    lambda oaza, banchi: f"{KISOSAKI}{oaza}{banchi}",
    st.sampled_from([oaza.name for oaza in OazaList.load()]),
    _banchi,
)


@st.composite
def normal_rows(draw: st.DrawFn) -> dict[str, str]:
    """Rows in the form the export writes: 西暦 dates, full-width カナ, 住所 without 方書."""
    honseki = draw(_optional(st.builds(lambda text: KISOSAKI + text, _kanji)))
    return LAYOUT.complete(
        {
            "団体コード": "243035",
            "宛名番号": draw(st.integers(1, 10**15 - 1).map(str)),
            "世帯番号": draw(st.integers(1, 10**15 - 1).map(str)),
            "住民票コード": draw(_optional(_digits(11))),
            "個人番号": draw(_optional(_digits(12))),
            "氏名": draw(_name),
            "氏名カナ": draw(_optional(_kana_name)),
            "生年月日": draw(_date),
            "性別": draw(st.sampled_from(codelists.load("seibetsu").codes())),
            "続柄": draw(st.sampled_from(codelists.load("zokugara").codes())),
            "世帯主氏名": draw(_optional(_name)),
            "郵便番号": draw(_optional(_digits(7))),
            "住所": draw(_address),
            "方書": draw(_optional(st.builds(lambda a, b: a + b, _kana, _digits(3)))),
            "町字ID": draw(_optional(_digits(7))),
            "本籍": honseki,
            "筆頭者": draw(_name) if honseki else "",
            "住民種別": draw(st.sampled_from("12")),
            "住民状態": draw(st.sampled_from("12349")),
            "異動事由": draw(_optional(st.sampled_from(codelists.load("ido_jiyu").codes()))),
            "異動年月日": draw(_optional(_date)),
            "届出年月日": draw(_optional(_date)),
        }
    )


@settings(max_examples=150, deadline=None)
@given(row=normal_rows())
def test_csv_row_to_canonical_and_back_is_the_same_row(specs: mappings.SpecRegistry, row: dict[str, str]) -> None:
    canonical = specs.get("chukan-jumin-csv-import", 1).apply(row)
    assert canonical.ok, canonical.errors
    back = specs.get("chukan-jumin-csv-export", 1).apply(canonical.output)
    assert back.ok, back.errors
    assert back.output == row
    assert list(back.output) == list(LAYOUT.columns)


def _legacy_row(**values: str) -> dict[str, str]:
    row = {
        "団体コード": "２４３０３５",
        "宛名番号": "100000000001",
        "世帯番号": "200000000001",
        "氏名": " 木曽　太郎 ",
        "氏名カナ": "ｷｿ ﾀﾛｳ",
        "生年月日": "4310430",
        "年号コード": "04",
        "性別": "1",
        "続柄": "01",
        "郵便番号": "498-0807",
        "住所": "三重県桑名郡木曾岬町大字西対海地２５１番地 コーポ木曽101",
        "住民種別": "1",
        "住民状態": "1",
        "異動事由": "10",
        "異動年月日": "R8.4.1",
        "届出年月日": "令和8年4月1日",
    }
    row.update(values)
    return LAYOUT.complete(row)


def test_legacy_values_are_normalised_on_the_way_in(specs: mappings.SpecRegistry) -> None:
    mapped = specs.get("chukan-jumin-csv-import", 1).apply(_legacy_row())
    assert mapped.ok, mapped.errors
    out = mapped.output
    assert out["shikibetsu"]["lgCode"] == "243035"
    assert out["shimei"] == {"shimei": "木曽　太郎", "shimeiKana": "キソ タロウ"}
    assert out["zokusei"]["birthDate"] == "2019-04-30"
    assert out["jusho"] == {
        "postcode": "4980807",
        "prefecture": "三重県",
        "city": "桑名郡木曽岬町",
        "oaza": "西対海地",
        "banchi": "251",
        "katagaki": "コーポ木曽101",
    }
    assert (out["jotai"]["idoDate"], out["jotai"]["todokedeDate"]) == ("2026-04-01", "2026-04-01")
    assert "honseki" not in out


@pytest.mark.parametrize(
    ("text", "era_code", "iso"),
    [
        ("4310430", "04", "2019-04-30"),
        ("4310430", "", "2019-04-30"),
        ("310430", "04", "2019-04-30"),
        ("310430", "4", "2019-04-30"),
        ("H31.4.30", "", "2019-04-30"),
        ("昭和55年5月1日", "", "1980-05-01"),
        ("1980-05-01", "", "1980-05-01"),
    ],
)
def test_wareki_birth_dates(specs: mappings.SpecRegistry, text: str, era_code: str, iso: str) -> None:
    mapped = specs.get("chukan-jumin-csv-import", 1).apply(_legacy_row(生年月日=text, 年号コード=era_code))
    assert mapped.ok, mapped.errors
    assert mapped.output["zokusei"]["birthDate"] == iso


def test_bad_rows_report_every_field(specs: mappings.SpecRegistry) -> None:
    row = _legacy_row(生年月日="5310430", 性別="", 団体コード="243036", 郵便番号="49808", 住民票コード="12")
    mapped = specs.get("chukan-jumin-csv-import", 1).apply(row)
    reasons = {error.path: error.reason for error in mapped.errors}
    assert set(reasons) == {"生年月日, 年号コード", "性別", "団体コード", "郵便番号", "住民票コード"}
    assert "starts with 年号 5 but 年号コード is '04'" in reasons["生年月日, 年号コード"]
    assert reasons["性別"] == "required value is missing"
    assert "check digit" in reasons["団体コード"]


def test_impossible_wareki_date_is_refused(specs: mappings.SpecRegistry) -> None:
    mapped = specs.get("chukan-jumin-csv-import", 1).apply(_legacy_row(生年月日="H31.5.1", 年号コード=""))
    assert [error.path for error in mapped.errors] == ["生年月日, 年号コード"]
    assert "平成" in mapped.errors[0].reason


def test_csv_text_round_trip_and_header_check() -> None:
    rows = [LAYOUT.complete({"宛名番号": "1", "氏名": "木曽, 太郎"}), LAYOUT.complete({"宛名番号": "2"})]
    text = write_rows(rows, LAYOUT)
    assert text.splitlines()[0].split(",") == list(LAYOUT.columns)
    assert [row for _, row in read_rows(text, LAYOUT)] == rows
    with pytest.raises(CsvHeaderError):
        list(read_rows(text.replace("宛名番号", "宛名No", 1), LAYOUT))

"""都道府県 and 市区町村: the 47 prefectures, the municipalities the hub knows, and a generic splitter.

Prefectures are matched by their 47 names (``vocab/data/prefectures.csv``). Municipalities the hub
knows by code (``vocab/data/municipalities.csv``) are matched with 異体字 tolerance, so 木曾岬町
finds 木曽岬町 (243035). Any other municipality is split generically on 郡 / 市 / 区 / 町 / 村,
and its 団体コード is left unknown rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from vocab._data import data_file, read_csv_rows
from vocab.moji.match import PrefixKeys, match_key

__all__ = [
    "Municipality",
    "Prefecture",
    "known_municipalities",
    "match_known_municipality",
    "prefectures",
    "split_municipality",
    "split_prefecture",
    "split_ward",
]


@dataclass(frozen=True)
class Prefecture:
    code: str
    name: str
    kana: str
    lg_code: str


@dataclass(frozen=True)
class Municipality:
    lg_code: str
    prefecture: str
    county: str | None
    city: str
    city_kana: str
    oaza_file: str | None


@cache
def prefectures() -> tuple[Prefecture, ...]:
    return tuple(
        Prefecture(row["code"], row["name"], row["kana"], row["lg_code"])
        for row in read_csv_rows(data_file("prefectures.csv"))
    )


@cache
def known_municipalities() -> tuple[Municipality, ...]:
    return tuple(
        Municipality(
            lg_code=row["lg_code"],
            prefecture=row["prefecture"],
            county=row["county"] or None,
            city=row["city"],
            city_kana=row["city_kana"],
            oaza_file=row["oaza_file"] or None,
        )
        for row in read_csv_rows(data_file("municipalities.csv"))
    )


def split_prefecture(text: str) -> tuple[Prefecture | None, str]:
    """Cut a leading 都道府県 name off ``text``."""
    by_name = _prefectures_by_name()
    for length in _PREFECTURE_NAME_LENGTHS:
        prefecture = by_name.get(text[:length])
        if prefecture is not None:
            return prefecture, text[length:]
    return None, text


#: 都道府県 names are 3 (東京都, 北海道) or 4 (神奈川県) characters long
_PREFECTURE_NAME_LENGTHS = (3, 4)


@cache
def _prefectures_by_name() -> dict[str, Prefecture]:
    """The prefectures by name, for a lookup instead of a scan of all 47.

    No prefecture's name begins with another's, so at most one can start a text and looking up
    the text's first 3 and 4 characters finds the same one the scan in list order would.
    """
    by_name = {prefecture.name: prefecture for prefecture in prefectures()}
    names = list(by_name)
    if len(names) != len(prefectures()) or {len(name) for name in names} - set(_PREFECTURE_NAME_LENGTHS) or any(
        a != b and b.startswith(a) for a in names for b in names
    ):
        raise ValueError("prefectures.csv: names must be unique, 3 or 4 characters, none a prefix of another")
    return by_name


def match_known_municipality(text: str, prefecture: str | None) -> tuple[Municipality, int] | None:
    """A known municipality at the start of ``text`` (with or without its 郡), and its length."""
    prefixes = PrefixKeys(text)
    for municipality, keys in _municipality_keys():
        if prefecture is not None and municipality.prefecture != prefecture:
            continue
        for key in keys:
            length = prefixes.length_of(key)
            if length is not None:
                return municipality, length
    return None


@cache
def _municipality_keys() -> tuple[tuple[Municipality, tuple[str, ...]], ...]:
    """Each known municipality with the match keys of its names (郡 + 市区町村 first, then alone).

    The list is fixed data, so its keys are made once instead of on every address.
    """
    found = []
    for municipality in known_municipalities():
        names = [municipality.city]
        if municipality.county:
            names.insert(0, municipality.county + municipality.city)
        found.append((municipality, tuple(match_key(name) for name in names)))
    return tuple(found)


# Municipality and 郡 names in which 市/区/町/村/郡 occur before the end, so that a lazy split
# would cut them short (大町市 → 大町, 東村山市 → 東村). Checked before the generic pattern.
_IRREGULAR_NAMES = (
    "四日市市",
    "廿日市市",
    "野々市市",
    "十日町市",
    "大町市",
    "町田市",
    "市川市",
    "市原市",
    "羽村市",
    "大村市",
    "田村市",
    "東村山市",
    "武蔵村山市",
    "村山市",
    "上市町",
    "下市町",
    "玉村町",
    "大町町",
    "市貝町",
    "市川三郷町",
    "余市町",
    "余市郡",
    "北村山郡",
    "西村山郡",
    "東村山郡",
    "田村郡",
)
_COUNTY = re.compile(r"[^\s\d]{1,6}?郡")
_CITY = re.compile(r"[^\s\d]{1,8}?[市区町村]")
_WARD = re.compile(r"[^\s\d]{1,5}?区")


def _take(pattern: re.Pattern[str], text: str, suffixes: str) -> str | None:
    for name in _IRREGULAR_NAMES:
        if name[-1] in suffixes and text.startswith(name):
            return name
    match = pattern.match(text)
    return match.group(0) if match else None


def split_municipality(text: str) -> tuple[str | None, str | None, str]:
    """Generic (郡, 市区町村, rest) split for municipalities the hub does not know.

    A 政令市 ward stays with its city (``札幌市中央区``), as postal data writes it.
    """
    rest = text
    county = _take(_COUNTY, rest, "郡")
    if county is not None:
        rest = rest[len(county) :]
    city = _take(_CITY, rest, "市区町村")
    if city is None:
        return county, None, rest
    rest = rest[len(city) :]
    ward, rest = split_ward(city, rest)
    return county, city + (ward or ""), rest


def split_ward(city: str, rest: str) -> tuple[str | None, str]:
    """Cut a 政令市 ward (中央区) off ``rest`` when ``city`` is a 市."""
    if not city.endswith("市"):
        return None, rest
    ward = _WARD.match(rest)
    if ward is None:
        return None, rest
    return ward.group(0), rest[len(ward.group(0)) :]

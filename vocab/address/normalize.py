"""Address text → parts: 都道府県, 郡, 市区町村, 大字, 番地, 方書, postcode, 団体コード, 町字ID.

``normalize`` accepts the ways one address reaches the hub — ``三重県桑名郡木曽岬町大字西対海地251``,
``木曾岬町大字西対海地２５１``, ``桑名郡木曽岬町西対海地二百五十一番地`` — and returns the same parts for
all of them. For a municipality the hub knows (``municipalities.csv``) it fills the prefecture,
county and 団体コード and, where a 大字 list exists, the official 大字 name and its postcode.

Names come out as the official lists write them (木曾 in the input gives 木曽岬町, the
registered name of the town); the caller keeps the original text. Nothing is invented:
``machiaza_id`` stays None until the ABR 町字マスター is loaded, an unknown 大字 keeps its text with
no postcode, and an unknown municipality gets no 団体コード.

``match_level`` says how far the match went, with the ABR geocoder's words: ``machiaza`` (大字
found in the list), ``city``, ``prefecture`` or ``unknown``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from vocab._data import data_file
from vocab.address.banchi import find_banchi_start, split_banchi
from vocab.address.oaza import OazaList
from vocab.address.regions import (
    match_known_municipality,
    split_municipality,
    split_prefecture,
    split_ward,
)

__all__ = ["normalize"]

_POSTCODE = re.compile(r"^〒?\s*(\d{3})-?(\d{4})\s*")
_SPACES = re.compile(r"\s+")


@cache
def _oaza_list(file_name: str) -> OazaList:
    return OazaList.load(data_file(file_name))


def _clean(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", folded).strip()


def _split_oaza_text(text: str) -> tuple[str | None, str]:
    """Unknown 大字: the text before the 番地 (or before the first space) is the 大字."""
    start = find_banchi_start(text)
    if start is None:
        head, _, tail = text.partition(" ")
        return head or None, tail
    return text[:start].strip() or None, text[start:]


def normalize(text: str) -> dict[str, str | None]:
    """Split an address into its parts; see the module docstring for the rules.

    Keys: ``prefecture``, ``county``, ``city``, ``oaza``, ``banchi``, ``katagaki``, ``postcode``
    (7 digits), ``lg_code`` (6 digits), ``machiaza_id``, ``match_level``.
    """
    rest = _clean(text)
    written_postcode = None
    postcode_match = _POSTCODE.match(rest)
    if postcode_match:
        written_postcode = postcode_match.group(1) + postcode_match.group(2)
        rest = rest[postcode_match.end() :]

    result: dict[str, str | None] = dict.fromkeys(
        ("prefecture", "county", "city", "oaza", "banchi", "katagaki", "postcode", "lg_code", "machiaza_id")
    )
    prefecture, rest = split_prefecture(rest)
    result["prefecture"] = prefecture.name if prefecture else None
    match_level = "prefecture" if prefecture else "unknown"

    oaza_list: OazaList | None = None
    known = match_known_municipality(rest, result["prefecture"])
    if known is not None:
        municipality, length = known
        ward, rest = split_ward(municipality.city, rest[length:])
        result.update(
            prefecture=municipality.prefecture,
            county=municipality.county,
            city=municipality.city + (ward or ""),
            lg_code=municipality.lg_code,
        )
        match_level = "city"
        if municipality.oaza_file:
            oaza_list = _oaza_list(municipality.oaza_file)
    else:
        county, city, rest = split_municipality(rest)
        result.update(county=county, city=city)
        if city is not None:
            match_level = "city"

    rest = rest.strip().removeprefix("大字").strip()
    found = oaza_list.match_start(rest) if oaza_list is not None else None
    if found is not None:
        oaza, length = found
        rest = rest[length:]
        result.update(oaza=oaza.name, postcode=oaza.postcode, machiaza_id=oaza.machiaza_id)
        match_level = "machiaza"
    else:
        result["oaza"], rest = _split_oaza_text(rest)

    result["banchi"], result["katagaki"] = split_banchi(rest)
    if result["postcode"] is None:
        result["postcode"] = written_postcode
    result["match_level"] = match_level
    return result

"""異体字-tolerant matching for search: 木曾岬町 finds 木曽岬町, 髙橋 finds 高橋.

A *match key* is a throw-away string used only to compare. It folds width (``ＡＢＣ``/``ｶﾞ``),
case, spaces, variation selectors, the 異体字 pairs of the MJ縮退マップ (through
``jntajis.mj_shrink_candidates``) and a small explicit fold table
(``vocab/data/itaiji_fold.csv``) for pairs the map does not join, such as 齊/斎.

Keys are for finding, never for storing: a registered name (town, person, place) is kept and
emitted exactly as received, and no function here writes a key over it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

import jntajis

from vocab._data import data_file, read_csv_rows

__all__ = ["PrefixKeys", "fold_table", "match_key", "match_prefix", "matches"]

_TO_JIS_SCHEMES = int(
    jntajis.MJShrinkSchemeCombo.JIS_INCORPORATION_UCS_UNIFICATION_RULE
    | jntajis.MJShrinkSchemeCombo.MOJ_NOTICE_582
    | jntajis.MJShrinkSchemeCombo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE
)
_OLD_TO_NEW_SCHEME = int(jntajis.MJShrinkSchemeCombo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE)
_LEVEL1_LAST_ROW = 47


def _jis_row(char: str) -> int | None:
    """JIS X 0208 row (区) of ``char``, or None when it is not in JIS X 0208."""
    try:
        encoded = jntajis.jnta_encode("jis", char, jntajis.ConversionMode.JISX0208)
    except UnicodeEncodeError:
        return None
    return encoded[0] - 0x20 if len(encoded) == 2 else None


@cache
def fold_table() -> dict[str, str]:
    """The explicit 異体字 folds (variant → base) from ``vocab/data/itaiji_fold.csv``."""
    table = {row["variant"]: row["base"] for row in read_csv_rows(data_file("itaiji_fold.csv"))}
    for variant, base in table.items():
        if base in table:
            raise ValueError(f"itaiji_fold.csv: base {base!r} of {variant!r} is itself folded")
    return table


def _first_candidate(char: str, combo: int, accept: Callable[[str], bool]) -> str | None:
    for candidate in jntajis.mj_shrink_candidates(char, combo):
        if candidate != char and len(candidate) == 1 and accept(candidate):
            return candidate
    return None


def _fold_once(char: str) -> str:
    """One folding step; steps only move towards JIS X 0208 level 1, so repeating them ends.

    Characters outside JIS X 0208 take their MJ縮退 stand-in (not the loose 読み・字形 scheme).
    JIS level-2 characters fold to a level-1 form given by the 戸籍 notices (邊 → 辺, 齋 → 斎);
    level-1 characters are left alone except for the explicit table, because the notices also
    relate distinct everyday characters that a search must keep apart.
    """
    table = fold_table()
    char = table.get(char, char)
    row = _jis_row(char)
    if row is None and ord(char) >= 0x80:
        char = _first_candidate(char, _TO_JIS_SCHEMES, lambda c: _jis_row(c) is not None) or char
    elif row is not None and row > _LEVEL1_LAST_ROW:
        level1 = _first_candidate(char, _OLD_TO_NEW_SCHEME, lambda c: (_jis_row(c) or 99) <= _LEVEL1_LAST_ROW)
        char = level1 or char
    return table.get(char, char)


@cache
def _fold_char(char: str) -> str:
    for _ in range(4):
        folded = _fold_once(char)
        if folded == char:
            break
        char = folded
    return char


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """The search key of ``text``: equal keys mean "the same name, written differently".

    Kept per text because it is pure (fixed tables, no state) and parsers ask for the same keys
    over and over: every address starts with the same 県 and 町 prefixes, every name list is fixed.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        _fold_char(char) for char in folded if not char.isspace() and not _is_variation_selector(char)
    )


def matches(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same thing up to 異体字, width, case and spacing."""
    return match_key(a) == match_key(b)


def match_prefix(text: str, name: str) -> int | None:
    """Length of the shortest prefix of ``text`` that matches ``name``, or None.

    Lets a parser find 木曽岬町 at the start of ``木曾岬町大字…`` and cut the original text at
    the right place, whatever variants were used.
    """
    return PrefixKeys(text).length_of(match_key(name))


class PrefixKeys:
    """The match keys of one text's prefixes, computed once and shared by every name tried.

    A parser that looks for one of many names (23 大字, the known municipalities) at the start of
    a text asks the same prefixes again for each name; here each prefix is normalised at most once.
    """

    __slots__ = ("_keys", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._keys: list[str] = []

    def key(self, length: int) -> str:
        """``match_key(text[:length])`` for 1 ≤ length ≤ len(text)."""
        keys = self._keys
        while len(keys) < length:
            keys.append(match_key(self.text[: len(keys) + 1]))
        return keys[length - 1]

    def length_of(self, target: str) -> int | None:
        """Length of the shortest prefix whose key is ``target`` (a name's match key), or None.

        Stops as soon as a prefix's key can no longer grow into ``target``.
        """
        if not target:
            return None
        text, keys = self.text, self._keys
        for length in range(1, len(text) + 1):
            if length > len(keys):
                keys.append(match_key(text[:length]))
            key = keys[length - 1]
            if key == target:
                return length
            if len(key) > len(target) or not target.startswith(key):
                return None
        return None

"""漢数字 → integers, for dates (令和二年十二月三十一日) and 番地 (二百五十一番地).

Both notations seen in municipal text are read: the multiplicative one with 十/百/千
(``二百五十一`` = 251) and the positional one digit by digit (``二五一`` = 251, ``二〇二〇`` = 2020).
The legal forms 壱/弐/参/拾 are accepted too. 万 and above never occur in dates or 番地 and
are rejected rather than guessed.
"""

from __future__ import annotations

import re

__all__ = ["KANSUJI_CHARS", "kansuji_to_int", "replace_kansuji"]

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "壱": 1,
    "二": 2,
    "弐": 2,
    "三": 3,
    "参": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000}

KANSUJI_CHARS = "".join(_DIGITS) + "".join(_UNITS)
_RUN = re.compile(f"[{KANSUJI_CHARS}]+")


def kansuji_to_int(text: str) -> int:
    """Read one run of 漢数字 as an integer; ``ValueError`` if it is not a well-formed number."""
    if not text or any(char not in _DIGITS and char not in _UNITS for char in text):
        raise ValueError(f"not a 漢数字 number: {text!r}")
    if not any(char in _UNITS for char in text):
        return int("".join(str(_DIGITS[char]) for char in text))
    total = 0
    pending: int | None = None
    last_unit = 10_000
    for char in text:
        if char in _DIGITS:
            if pending is not None:
                raise ValueError(f"not a 漢数字 number (two digits in a row): {text!r}")
            pending = _DIGITS[char]
            continue
        unit = _UNITS[char]
        if unit >= last_unit:
            raise ValueError(f"not a 漢数字 number (units out of order): {text!r}")
        total += (1 if pending is None else pending) * unit
        pending = None
        last_unit = unit
    return total + (pending or 0)


def replace_kansuji(text: str) -> str:
    """Replace every run of 漢数字 in ``text`` by ASCII digits (runs that do not parse stay as they are)."""

    def _convert(match: re.Match[str]) -> str:
        try:
            return str(kansuji_to_int(match.group(0)))
        except ValueError:
            return match.group(0)

    return _RUN.sub(_convert, text)

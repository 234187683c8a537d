"""番地 and 方書: ``二百五十一番地`` → ``251``, ``123番地の4`` → ``123-4``, and what follows.

After the 大字 comes the 地番 (木曽岬町 uses 地番, not 住居表示) in many spellings: ASCII or
漢数字, joined by ``-``, ``の``, ``番地``, ``番``, ``号``. It is rewritten as ASCII numbers joined by
``-``. Whatever follows (building, floor, room: ``役場庁舎2階``, ``コーポ木曽岬101号``) is the 方書 and
is returned as written.

A 漢数字 run counts as a number only when a separator, a space, a digit or the end follows it,
so names such as 三重ビル or 五十鈴 in a 方書 or 大字 are not read as numbers.
"""

from __future__ import annotations

import re

from vocab.kansuji import KANSUJI_CHARS, kansuji_to_int

__all__ = ["find_banchi_start", "split_banchi"]

_ASCII_NUMBER = re.compile(r"\d+")
_KANJI_NUMBER = re.compile(f"[{KANSUJI_CHARS}]+")
_TERMINAL = re.compile(r"番地|番|号|丁目")
_JOINER = re.compile(r"[のノ\-‐−–—―ーｰ]")
_KANJI_FOLLOWERS = re.compile(r"$|\s|\d|番地|番|号|丁目|条|線|[のノ\-‐−–—―ーｰ]")


def _number(text: str, pos: int) -> tuple[int | None, int]:
    match = _ASCII_NUMBER.match(text, pos)
    if match:
        return int(match.group(0)), match.end()
    match = _KANJI_NUMBER.match(text, pos)
    if match and _KANJI_FOLLOWERS.match(text, match.end()):
        try:
            return kansuji_to_int(match.group(0)), match.end()
        except ValueError:
            return None, pos
    return None, pos


def _parse(text: str, pos: int) -> tuple[list[int], int]:
    parts: list[int] = []
    while True:
        number, after_number = _number(text, pos)
        if number is None:
            break
        parts.append(number)
        pos = after_number
        terminal = _TERMINAL.match(text, pos)
        after_terminal = terminal.end() if terminal else pos
        joiner = _JOINER.match(text, after_terminal)
        if joiner and _number(text, joiner.end())[0] is not None:
            pos = joiner.end()
            continue
        if terminal:
            pos = after_terminal
            if _number(text, pos)[0] is not None:
                continue
        break
    return parts, pos


def find_banchi_start(text: str) -> int | None:
    """Index where the 番地 begins in ``text``, or None when it holds no number.

    A number followed by 条 or 線 (北1条西, 東3線) belongs to the 町字 name, not to the 番地.
    """
    for index in range(len(text)):
        if index and (text[index - 1].isdigit() or text[index - 1] in KANSUJI_CHARS):
            continue
        number, end = _number(text, index)
        if number is not None and not text.startswith(("条", "線"), end):
            return index
    return None


def split_banchi(text: str) -> tuple[str | None, str | None]:
    """Split text that starts with a 番地 into (normalised 番地, 方書)."""
    stripped = text.strip()
    parts, end = _parse(stripped, 0)
    if not parts:
        return None, stripped or None
    katagaki = stripped[end:].strip(" ,、")
    return "-".join(str(part) for part in parts), katagaki or None

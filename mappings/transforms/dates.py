"""Date transforms: legacy 和暦 in, ISO 8601 out.

Every canonical date is an xs:date, so a date whose day or month is unknown (a legal 和暦 value,
``平成元年``) is reported rather than padded with an invented day. The parsing itself is
`vocab.wareki`'s; this module only decides which of its readers a field's shape calls for.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from mappings.errors import TransformError
from mappings.transforms.registry import Arg, Transform
from vocab import wareki
from vocab.codelists import UnknownCodeError, nengo_to_1digit

_PACKED = re.compile(r"^\d{7}$")
_SIX = re.compile(r"^\d{6}$")


def _full(iso: str, source: object) -> str:
    if len(iso) != 10:
        raise TransformError(f"gives only {len(iso.split('-'))} of year, month and day; a full date is required")
    return iso


def _one_digit_era(code: str) -> str:
    code = code.strip()
    try:
        return nengo_to_1digit(code) if len(code) == 2 else code
    except (UnknownCodeError, KeyError) as exc:
        raise TransformError(f"unknown 年号コード {code!r}") from exc


def _with_era_code(text: str, era_code: str) -> str:
    """A date field read together with its 年号コード field."""
    era = _one_digit_era(era_code)
    if _SIX.match(text):
        return wareki.from_legacy(era, text[:2], text[2:4], text[4:])
    if _PACKED.match(text) and text[0] != era:
        raise TransformError(f"starts with 年号 {text[0]} but 年号コード is {era_code!r}")
    return _parse(text)


def _without_value(exc: ValueError) -> str:
    """The parser's reason without the date it quotes: a 生年月日 must not reach the quarantine reason."""
    if isinstance(exc, TransformError):
        return str(exc)  # ours, already written without the value
    reason = re.sub(r" ?'[^']*'", "", str(exc))
    return re.sub(r"; \S+ is outside it", "; the date is outside it", reason)


def _parse(text: str) -> str:
    if _PACKED.match(text):
        return wareki.from_legacy_packed(text)
    return wareki.parse(text)


def wareki_to_iso(value: Any, _arg: Any) -> str | None:
    """和暦 or 西暦 text (or [text, 年号コード]) → ``YYYY-MM-DD``."""
    if isinstance(value, list):
        text, era_code = (value + [None, None])[:2]
        if text is None:
            return None  # no date: the chain stops and nothing is written
        text = str(text).strip()
        try:
            iso = _with_era_code(text, str(era_code)) if era_code else _parse(text)
        except ValueError as exc:
            raise TransformError(_without_value(exc)) from exc
        return _full(iso, value)
    text = str(value).strip()
    try:
        return _full(_parse(text), text)
    except ValueError as exc:
        raise TransformError(_without_value(exc)) from exc


def iso_date(value: Any, _arg: Any) -> str:
    """Check an ISO date (canonical records must already hold one) and pass it on."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise TransformError("not an ISO date YYYY-MM-DD") from exc


def iso_to_wareki(value: Any, arg: Any) -> str:
    """ISO date → 和暦 text (``full`` 令和元年5月1日 or ``short`` R1.5.1), for 表記 fields."""
    try:
        return wareki.format_wareki(iso_date(value, None), arg or "full")
    except ValueError as exc:
        raise TransformError(_without_value(exc)) from exc


def _check_style(arg: Any) -> None:
    if arg not in (None, "full", "short"):
        raise ValueError("style is `full` or `short`")


TRANSFORMS = (
    Transform("wareki_to_iso", wareki_to_iso),
    Transform("iso_date", iso_date),
    Transform("iso_to_wareki", iso_to_wareki, arg=Arg.OPTIONAL, check=_check_style),
)

__all__ = ["TRANSFORMS", "iso_date", "iso_to_wareki", "wareki_to_iso"]

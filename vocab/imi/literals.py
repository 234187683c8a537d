"""Checks for literal values against the IMI datatypes (xsd:date, xsd:decimal, 電話番号型 …).

Each check returns None when the value fits, or a message saying what was expected. JSON
numbers and numeric strings are both accepted for numeric types, because JSON-LD contexts coerce
typed strings; a number where text is expected is only a warning, since it loses nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

__all__ = ["check_literal", "is_lenient_mismatch"]

_DATE = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_TIME = re.compile(r"(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DOUBLE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF|-INF|NaN")
_INTEGER = re.compile(r"[+-]?\d+")
_PHONE = re.compile(r"[0-9+\-(),]+")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date(value: Any) -> str | None:
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return f"expected an xsd:date (YYYY-MM-DD), got {value!r}"
    try:
        dt.date.fromisoformat(match.group("date"))
    except ValueError:
        return f"{value!r} is not a real calendar date"
    return None


def _datetime(value: Any) -> str | None:
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        return f"expected an xsd:dateTime (YYYY-MM-DDThh:mm:ss[+09:00]), got {value!r}"
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"{value!r} is not a real date and time"
    return None


def _time(value: Any) -> str | None:
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match["h"]) > 23 or int(match["m"]) > 59 or int(match["s"]) > 59:
        return f"expected an xsd:time (hh:mm:ss), got {value!r}"
    return None


def _numeric(pattern: re.Pattern[str], label: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if _is_number(value) or (isinstance(value, str) and pattern.fullmatch(value)):
            return None
        return f"expected {label}, got {value!r}"

    return check


def _integer(minimum: int | None) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _INTEGER.fullmatch(value):
            number = int(value)
        else:
            return f"expected an integer, got {value!r}"
        if minimum is not None and number < minimum:
            return f"expected an integer ≥ {minimum}, got {value!r}"
        return None

    return check


def _text(pattern: re.Pattern[str] | None, label: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"expected {label}, got {type(value).__name__} {value!r}"
        if pattern is not None and not pattern.fullmatch(value):
            return f"expected {label}, got {value!r}"
        return None

    return check


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "xsd:string": _text(None, "text"),
    "xsd:date": _date,
    "xsd:dateTime": _datetime,
    "xsd:time": _time,
    "xsd:decimal": _numeric(_DECIMAL, "a decimal number"),
    "xsd:double": _numeric(_DOUBLE, "a number"),
    "xsd:integer": _integer(None),
    "xsd:nonNegativeInteger": _integer(0),
    "xsd:anyURI": _text(re.compile(r"\S+"), "an IRI without spaces"),
    "iso4217": _text(_CURRENCY, "an ISO 4217 currency code such as JPY"),
    "電話番号型": _text(_PHONE, "a telephone number of 0-9 + - ( ) , only"),
}


def check_literal(datatype: str, value: Any, pattern: str | None = None) -> str | None:
    """None when ``value`` fits ``datatype`` (and ``pattern``, if the property has one)."""
    message = _CHECKS[datatype](value)
    if message is None and pattern is not None and not re.search(pattern, str(value)):
        return f"{value!r} does not match {pattern}"
    return message


def is_lenient_mismatch(datatype: str, value: Any) -> bool:
    """A number given where text is expected: reported as a warning, not an error."""
    return datatype == "xsd:string" and _is_number(value)

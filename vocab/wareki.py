"""和暦 and 西暦 date text → ISO 8601, and back.

Legacy systems and paper forms write dates in many shapes: ``令和二年十二月三十一日``,
``平成元年1月8日``, ``R2.12.31``, ``H31.4.30``, ``R02/01/01``, ``2020年12月31日``, full-width digits,
or split fields (年号コード, 年, 月, 日) with ``00`` for an unknown day. ``parse`` turns all of them
into ``YYYY-MM-DD``, or into the reduced-precision forms ``YYYY-MM`` / ``YYYY`` that ISO 8601
allows when the day or month is unknown — a missing day is never invented.

A date that never existed is refused with the reason: 昭和64年1月8日 (昭和 ended on 1989-01-07),
平成31年5月1日, 令和元年4月30日, 2月30日. Month/day dates before 1873-01-01 are refused too: Japan
used the lunisolar calendar until then, so 明治5年3月1日 is not 1872-03-01 (see ``vocab.eras``).
A year alone (明治5年 → ``1872``) is accepted.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from functools import lru_cache

from vocab.codelists import load as load_codelist
from vocab.eras import GREGORIAN_ADOPTION, Era, all_eras, era_by_token, era_of
from vocab.kansuji import replace_kansuji

__all__ = [
    "format_wareki",
    "from_legacy",
    "from_legacy_packed",
    "parse",
    "to_legacy",
    "to_legacy_packed",
    "to_wareki",
]

_ERA_NAMES = "|".join(era.name for era in all_eras())
_ERA_LETTERS = "".join(era.letter + era.letter.lower() for era in all_eras())
_ERA_SHORTS = "".join(era.short for era in all_eras())
_ERA = f"(?P<era>{_ERA_NAMES}|[{_ERA_LETTERS}]|[{_ERA_SHORTS}])"
_YMD_KANJI = r"(?P<y>\d{1,2})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?"
_YMD_SEP = r"(?P<y>\d{1,2})(?:[./-](?P<m>\d{1,2})(?:[./-](?P<d>\d{1,2}))?)?"

_PATTERNS = (
    re.compile(f"{_ERA}{_YMD_KANJI}"),
    re.compile(rf"{_ERA}\.?{_YMD_SEP}"),
    re.compile(r"(?P<Y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?"),
    re.compile(r"(?P<Y>\d{4})(?:[./-](?P<m>\d{1,2})(?:[./-](?P<d>\d{1,2}))?)?"),
    re.compile(r"(?P<Y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
_WEEKDAY_SUFFIX = re.compile(r"\((?:[月火水木金土日](?:曜日?)?)\)$")


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    folded = re.sub(r"\s+", "", folded)
    folded = _WEEKDAY_SUFFIX.sub("", folded)
    folded = folded.removeprefix("西暦")
    folded = re.sub(f"({_ERA_NAMES}|[{_ERA_SHORTS}])元年", r"\g<1>1年", folded)
    return replace_kansuji(folded)


def _part(value: str | None) -> int | None:
    """Month or day field: absent or ``00`` means unknown."""
    if value is None or int(value) == 0:
        return None
    return int(value)


@lru_cache(maxsize=4096)
def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a month; kept because it is pure and a register's dates share months."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _span(era: Era) -> str:
    if era.end is None:
        return f"{era.name} began on {era.start}"
    return f"{era.name} ran from {era.start} to {era.end}"


def _build(era: Era | None, year: int, month: int | None, day: int | None, source: str) -> str:
    """Validate the parts and render ISO 8601 at the precision the input has."""

    def fail(reason: str) -> ValueError:
        return ValueError(f"invalid date {source!r}: {reason}")

    if month is None and day is not None:
        raise fail("a day is given without a month")
    if era is not None:
        if year < 1:
            raise fail(f"{era.name} has no year {year}")
        last = era.last_era_year()
        if last is not None and year > last:
            raise fail(f"{era.name} has no year {year} (it ended on {era.end})")
        gyear = era.gregorian_year(year)
    else:
        gyear = year
    if not 1 <= gyear <= 9999:
        raise fail(f"year {gyear} is outside 0001–9999")
    if month is None:
        return f"{gyear:04d}"
    if not 1 <= month <= 12:
        raise fail(f"there is no month {month}")
    first, last_day = _month_span(gyear, month)
    if era is not None:
        if last_day < GREGORIAN_ADOPTION:
            raise fail("dates before 明治6年 (1873-01-01) are lunisolar and cannot be converted")
        if last_day < era.start or (era.end is not None and first > era.end):
            raise fail(_span(era))
    if day is None:
        return f"{gyear:04d}-{month:02d}"
    if not 1 <= day <= last_day.day:
        raise fail(f"{gyear:04d}-{month:02d} has no day {day}")
    value = dt.date(gyear, month, day)
    if era is not None and not era.contains(value):
        raise fail(f"{_span(era)}; {value} is outside it")
    return value.isoformat()


def parse(text: str) -> str:
    """Parse 和暦 or 西暦 date text into ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

    Raises ``ValueError`` naming the reason when the text is not a date or names a day that
    never existed.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"cannot parse date {text!r}: empty")
    normalised = _normalise(text)
    for pattern in _PATTERNS:
        match = pattern.fullmatch(normalised)
        if match is None:
            continue
        groups = match.groupdict()
        month, day = _part(groups.get("m")), _part(groups.get("d"))
        if groups.get("era"):
            return _build(era_by_token(groups["era"]), int(groups["y"]), month, day, text)
        return _build(None, int(groups["Y"]), month, day, text)
    raise ValueError(f"cannot parse date {text!r}: not a recognised 和暦 or 西暦 form")


def _as_date(iso: str | dt.date) -> dt.date:
    if isinstance(iso, dt.date):
        return iso
    try:
        return dt.date.fromisoformat(iso)
    except (TypeError, ValueError) as error:
        raise ValueError(f"expected a full ISO date YYYY-MM-DD, got {iso!r}") from error


def to_wareki(iso: str | dt.date) -> tuple[str, int, int, int]:
    """ISO date → (元号, year, month, day), e.g. ``"2019-05-01"`` → ``("令和", 1, 5, 1)``."""
    day = _as_date(iso)
    if day < GREGORIAN_ADOPTION:
        raise ValueError(f"{day} is before 1873-01-01; the 和暦 date of that day is lunisolar")
    era = era_of(day)
    return era.name, day.year - era.start.year + 1, day.month, day.day


def format_wareki(iso: str | dt.date, style: str = "full") -> str:
    """Render an ISO date as 和暦 text: ``full`` → ``令和元年5月1日``, ``short`` → ``R1.5.1``."""
    name, year, month, day = to_wareki(iso)
    if style == "full":
        return f"{name}{'元' if year == 1 else year}年{month}月{day}日"
    if style == "short":
        return f"{era_by_token(name).letter}{year}.{month}.{day}"
    raise ValueError(f"unknown style {style!r}; use 'full' or 'short'")


@lru_cache(maxsize=64)
def _era_for_code(era_code: str) -> Era:
    """The era of a 年号コード; kept because it is pure (fixed code lists) and asked on every date.

    An unknown code raises, and exceptions are never kept, so it is reported each time.
    """
    code = era_code.strip()
    list_name = "nengo_1digit" if len(code) == 1 else "nengo_2digit"
    return era_by_token(load_codelist(list_name).label(code))


def _digits(field: str, name: str, source: str) -> str:
    value = field.strip()
    if value and not (value.isascii() and value.isdigit()):
        raise ValueError(f"invalid legacy date {source!r}: {name} {field!r} is not digits")
    return value


def from_legacy(era_code: str, yy: str, mm: str, dd: str) -> str:
    """Legacy split fields (年号コード, 年, 月, 日) → ISO 8601 at the precision they carry.

    ``era_code`` is the 1-digit 既存住基 code (``"4"`` = 平成) or the 2-digit 中間標準レイアウト
    code (``"04"``). Blank or ``00`` month/day fields give ``YYYY`` / ``YYYY-MM``.
    """
    source = f"{era_code}/{yy}/{mm}/{dd}"
    era = _era_for_code(era_code)
    year_text = _digits(yy, "year", source)
    if not year_text:
        raise ValueError(f"invalid legacy date {source!r}: the year is blank")
    month_text, day_text = _digits(mm, "month", source), _digits(dd, "day", source)
    return _build(era, int(year_text), _part(month_text or None), _part(day_text or None), source)


def from_legacy_packed(text: str) -> str:
    """``GYYMMDD`` (7 digits, 1-digit 年号コード) or ``GGYYMMDD`` (8 digits) → ISO 8601."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or len(value) not in (7, 8):
        raise ValueError(f"invalid legacy date {text!r}: expected 7 (GYYMMDD) or 8 (GGYYMMDD) digits")
    width = len(value) - 6
    return _packed_day(value, width) or from_legacy(
        value[:width], value[width : width + 2], value[width + 2 : width + 4], value[-2:])


def _packed_day(value: str, width: int) -> str | None:
    """A packed date that names an existing day within its era, in a few steps; else None.

    A register holds tens of thousands of distinct birth dates, each parsed once. Only a date every
    check of `from_legacy` passes is answered here, with the text it would give (the day's ISO form);
    anything else — reduced precision, an unknown 年号コード, a day that never existed or lies outside
    its era, a lunisolar date — goes to `from_legacy`, which says why.
    """
    try:
        era = _era_for_code(value[:width])
    except (KeyError, ValueError):
        return None
    year, month, day = int(value[width : width + 2]), int(value[width + 2 : width + 4]), int(value[-2:])
    last = era.last_era_year()
    if year < 1 or (last is not None and year > last) or not 1 <= month <= 12 or day < 1:
        return None
    try:
        found = dt.date(era.gregorian_year(year), month, day)
    except ValueError:
        return None
    if found < GREGORIAN_ADOPTION or not era.contains(found):
        return None
    return found.isoformat()


def to_legacy(iso: str | dt.date) -> tuple[str, str, str, str]:
    """ISO date → (1-digit 年号コード, YY, MM, DD) as legacy systems store them."""
    name, year, month, day = to_wareki(iso)
    code = load_codelist("nengo_1digit").code_for(name)
    return code, f"{year:02d}", f"{month:02d}", f"{day:02d}"


def to_legacy_packed(iso: str | dt.date) -> str:
    """ISO date → ``GYYMMDD``, e.g. ``"2019-04-30"`` → ``"4310430"``."""
    return "".join(to_legacy(iso))

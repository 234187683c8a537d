"""全国地方公共団体コード (団体コード): the 5-digit code and its 6-digit form with check digit.

The 6-digit form is ``都道府県 (2) + 市区町村 (3) + 検査数字``. The check digit is the 総務省
algorithm: ``S = 6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5``, ``r = S mod 11``, ``check = (11 − r) mod 10``
(so r = 0 gives 1 and r = 1 gives 0). e-Stat and 国土数値情報 use the 5-digit form, the
platform contract the 6-digit one; the hub keeps both and refuses a 6-digit code whose check digit
is wrong, because a mistyped 団体コード routes data to the wrong municipality.
"""

from __future__ import annotations

__all__ = ["check_digit", "is_valid", "to_five", "to_six"]

_WEIGHTS = (6, 5, 4, 3, 2)


def _require_digits(code: str, length: int) -> None:
    if not isinstance(code, str) or len(code) != length or not code.isascii() or not code.isdigit():
        raise ValueError(f"団体コード must be {length} ASCII digits, got {code!r}")


def check_digit(five: str) -> str:
    """Return the check digit (one character) for a 5-digit 団体コード such as ``"24303"``."""
    _require_digits(five, 5)
    remainder = sum(int(digit) * weight for digit, weight in zip(five, _WEIGHTS, strict=True)) % 11
    return str((11 - remainder) % 10)


def is_valid(six: str) -> bool:
    """True when ``six`` is six ASCII digits whose last digit is the correct check digit."""
    if not isinstance(six, str) or len(six) != 6 or not six.isascii() or not six.isdigit():
        return False
    return check_digit(six[:5]) == six[5]


def to_six(five: str) -> str:
    """Append the check digit: ``"24303"`` → ``"243035"``."""
    return five + check_digit(five)


def to_five(six: str) -> str:
    """Drop the check digit after verifying it: ``"243035"`` → ``"24303"``.

    Raises ``ValueError`` on a wrong check digit rather than silently truncating, since the
    5-digit result would otherwise look valid.
    """
    _require_digits(six, 6)
    expected = check_digit(six[:5])
    if six[5] != expected:
        raise ValueError(f"団体コード {six!r} has check digit {six[5]!r}, expected {expected!r}")
    return six[:5]

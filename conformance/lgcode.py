"""団体コード check digit (総務省): the kit carries its own copy because it imports nothing of the hub.

``S = 6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5``, ``r = S mod 11``, ``check = (11 − r) mod 10``.
"""

from __future__ import annotations


def check_digit(five: str) -> int:
    if len(five) != 5 or not five.isdigit():
        raise ValueError(f"five digits expected: {five!r}")
    total = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), five, strict=True))
    return (11 - total % 11) % 10


def is_valid(code: str) -> bool:
    """True for a 6-digit code whose last digit is the check digit of the first five."""
    return len(code) == 6 and code.isdigit() and check_digit(code[:5]) == int(code[5])


def with_bad_check_digit(code: str) -> str:
    """The same code with a wrong check digit: the probe for header validation."""
    return code[:5] + str((int(code[5]) + 1) % 10)

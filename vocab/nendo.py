"""年度: the fiscal year of Japanese public bodies, April to March, named by the year it starts in.

A notice of 2027-02-10 belongs to 2026 年度; KPIs and 特別徴収 notices are counted per 年度.
"""

from __future__ import annotations

import datetime as dt

FIRST_MONTH = 4


def nendo_of(day: dt.date) -> int:
    return day.year if day.month >= FIRST_MONTH else day.year - 1

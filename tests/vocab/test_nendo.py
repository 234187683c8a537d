from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from vocab.nendo import nendo_of


def test_march_closes_the_year_and_april_opens_the_next() -> None:
    assert nendo_of(dt.date(2027, 3, 31)) == 2026
    assert nendo_of(dt.date(2027, 4, 1)) == 2027
    assert nendo_of(dt.date(2027, 1, 1)) == 2026


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9998, 12, 31)))
def test_every_day_lies_between_its_years_first_of_april_and_the_next(day: dt.date) -> None:
    n = nendo_of(day)
    assert dt.date(n, 4, 1) <= day < dt.date(n + 1, 4, 1)

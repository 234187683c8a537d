"""特別徴収 monthly amounts: June takes the rounding remainder, the months always add up, and a notice
whose amounts contradict each other is refused with the employee named."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker.services.zei import getsugaku
from tests.zei_samples import tsuchi


def test_june_takes_what_the_hundred_yen_rounding_leaves() -> None:
    assert getsugaku.split(123456) == [11256] + [10200] * 11
    assert getsugaku.split(120000) == [10000] * 12
    assert getsugaku.split(1100) == [1100] + [0] * 11  # under 1,200 yen a year: all in June
    assert getsugaku.split(0) == [0] * 12


@given(st.integers(min_value=0, max_value=999_999_999))
def test_months_add_up_and_only_june_differs(annual: int) -> None:
    months = getsugaku.split(annual)
    assert len(months) == 12 and sum(months) == annual
    assert len(set(months[1:])) == 1 and months[1] % 100 == 0
    assert 0 <= months[0] - months[1] < 1200


def test_a_consistent_notice_passes() -> None:
    getsugaku.check(tsuchi())


@pytest.mark.parametrize(("change", "reason"), [
    (lambda t: t["nozeiGimusha"][0]["getsugaku"][3].update(gaku=10300), "月割額の合計"),
    (lambda t: t["nozeiGimusha"][1].update(nenzeigaku=98800), "月割額の合計"),
    (lambda t: t.update(gokeiGaku=1), "合計"),
    (lambda t: t["nozeiGimusha"][0]["getsugaku"].reverse(), "6月から翌年5月"),
    (lambda t: t["nozeiGimusha"][0].update(shichosonminzei=70000, kenminzei=50000), "道府県民税"),
])
def test_contradicting_amounts_are_refused(change, reason: str) -> None:  # type: ignore[no-untyped-def]
    notice = tsuchi()
    change(notice)
    with pytest.raises(getsugaku.AmountInconsistent, match=reason):
        getsugaku.check(notice)


def test_a_kettei_notice_must_follow_the_split_but_a_henko_may_not() -> None:
    notice = tsuchi(amounts=(120000,))
    months = notice["nozeiGimusha"][0]["getsugaku"]
    months[0]["gaku"], months[1]["gaku"] = 9000, 11000  # same sum, June not the remainder
    with pytest.raises(getsugaku.AmountInconsistent, match="決定通知の月割額"):
        getsugaku.check(notice)
    henko = copy.deepcopy(notice)
    henko["tsuchiKubun"] = "2"
    getsugaku.check(henko)

"""The twelve monthly amounts of a 特別徴収税額 and the checks a notice's amounts must pass.

特別徴収 runs from June to the next May. The monthly amount (月割額) is 年税額 ÷ 12 with the part
under 100 yen cut off; July to May each take that amount and June takes the rest, so the months
always add up to the 年税額 (modelled on 地方税法 第321条の5; unverified — design assumption, see
api_specs/README.md). A 変更 notice re-spreads what is left after months already collected, so for it
only the sum is checked.
"""

from __future__ import annotations

from typing import Any

COLLECTION_MONTHS = (6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5)
ROUNDING_UNIT = 100  # yen: the monthly amount drops what is under this
KETTEI = "1"  # 通知区分 決定
HENKO = "2"  # 通知区分 変更


class AmountInconsistent(ValueError):
    """The amounts of a notice contradict each other; the message names the employee and the field."""


def split(nenzeigaku: int) -> list[int]:
    """June-to-May amounts of a 年税額: June carries what the 100-yen rounding of the others leaves."""
    if nenzeigaku < 0:
        raise ValueError(f"年税額 must not be negative: {nenzeigaku}")
    monthly = nenzeigaku // len(COLLECTION_MONTHS) // ROUNDING_UNIT * ROUNDING_UNIT
    june = nenzeigaku - monthly * (len(COLLECTION_MONTHS) - 1)
    return [june] + [monthly] * (len(COLLECTION_MONTHS) - 1)


def months(getsugaku: list[dict[str, Any]]) -> list[int]:
    """The amounts in collection order, after checking that the months are June to May in that order."""
    order = [int(m["tsuki"]) for m in getsugaku]
    if tuple(order) != COLLECTION_MONTHS:
        raise AmountInconsistent(f"月は6月から翌年5月の順に12か月分が必要です: {order}")
    return [int(m["gaku"]) for m in getsugaku]


def check(tsuchi: dict[str, Any]) -> None:
    """Every employee's months add up to the 年税額 (and follow the split rule in a 決定 notice), the
    内訳 adds up when given, and the notice's 合計 is the sum of the 年税額."""
    total = 0
    for k, person in enumerate(tsuchi["nozeiGimusha"]):
        where = f"nozeiGimusha[{k}] (宛名番号 {person.get('atenaNo')})"
        annual = int(person["nenzeigaku"])
        amounts = months(person["getsugaku"])
        if sum(amounts) != annual:
            raise AmountInconsistent(f"{where}: 月割額の合計 {sum(amounts)} が年税額 {annual} と一致しません")
        if str(tsuchi["tsuchiKubun"]) == KETTEI and amounts != split(annual):
            raise AmountInconsistent(f"{where}: 決定通知の月割額 {amounts} は年税額 {annual} の月割 "
                                     f"{split(annual)} (6月に端数) と一致しません")
        parts = [person.get("shichosonminzei"), person.get("kenminzei")]
        if None not in parts and sum(int(p) for p in parts if p is not None) != annual:
            raise AmountInconsistent(f"{where}: 市町村民税 {parts[0]} + 道府県民税 {parts[1]} が"
                                     f"年税額 {annual} と一致しません")
        total += annual
    if int(tsuchi["gokeiGaku"]) != total:
        raise AmountInconsistent(f"合計 {tsuchi['gokeiGaku']} が年税額の合計 {total} と一致しません")

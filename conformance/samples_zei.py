"""Sample 特別徴収税額通知 the kit sends, built in zei.xsd order, with the kit's own 月割額 rule.

The kit computes the monthly amounts itself (api_specs/README.md: 年税額 ÷ 12 with the part under 100
yen cut off for July to May, June takes the rest) rather than trusting the product's arithmetic.
Each run uses a fresh 指定番号 prefix (9…) so that earlier runs never change this one's outcome.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from lxml import etree

from conformance.contract import NS_ZEI

Z = f"{{{NS_ZEI}}}"
NSMAP = {"z": NS_ZEI}
MONTHS = (6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5)


def split(annual: int) -> list[int]:
    monthly = annual // 12 // 100 * 100
    return [annual - 11 * monthly] + [monthly] * 11


@dataclass(frozen=True)
class Employee:
    atena_no: str
    annual: int
    months: tuple[int, ...]


@dataclass(frozen=True)
class Notice:
    """The facts of a sample notice the features refer to."""

    shitei_no: str
    lg_code: str
    nendo: int
    kubun: str
    employees: tuple[Employee, ...]


def fresh_notice(lg_code: str, *, kubun: str = "1", rng: random.Random | None = None) -> Notice:
    r = rng or random.SystemRandom()
    shitei = "9" + "".join(r.choice("0123456789") for _ in range(9))
    people = []
    for k in range(2):
        annual = r.randrange(50, 6000) * 100 + (56 if k == 0 else 0)  # the first one leaves a remainder
        people.append(Employee(f"7{r.randrange(10**9):09d}", annual, tuple(split(annual))))
    return Notice(shitei, lg_code, date.today().year, kubun, tuple(people))


def _text(parent: etree._Element, name: str, value: object) -> etree._Element:
    el = etree.SubElement(parent, Z + name)
    el.text = str(value)
    return el


def tsuchi_element(notice: Notice, tag: str = "tsuchi") -> etree._Element:
    el = etree.Element(Z + tag, nsmap=NSMAP)
    _text(el, "tsuchiKubun", notice.kubun)
    _text(el, "nendo", notice.nendo)
    _text(el, "lgCode", notice.lg_code)
    _text(el, "tsuchiDate", f"{notice.nendo}-05-15")
    employer = etree.SubElement(el, Z + "tokuchoGimusha")
    _text(employer, "shiteiNo", notice.shitei_no)
    _text(employer, "meisho", "準拠確認用事業所")
    for person in notice.employees:
        p = etree.SubElement(el, Z + "nozeiGimusha")
        _text(p, "atenaNo", person.atena_no)
        _text(p, "shimei", "木曽　花子")
        _text(p, "nenzeigaku", person.annual)
        for month, amount in zip(MONTHS, person.months, strict=True):
            m = etree.SubElement(p, Z + "getsugaku")
            _text(m, "tsuki", month)
            _text(m, "gaku", amount)
    _text(el, "gokeiGaku", sum(p.annual for p in notice.employees))
    return el


def zeigaku_tsuchi(notice: Notice) -> etree._Element:
    req = etree.Element(Z + "ZeigakuTsuchiRequest", nsmap=NSMAP)
    req.append(tsuchi_element(notice))
    return req


def with_months(notice: Notice, months: list[int]) -> Notice:
    """The same notice with the first employee's months replaced (the 年税額 unchanged)."""
    first = notice.employees[0]
    return _with_first(notice, Employee(first.atena_no, first.annual, tuple(months)))


def with_other_annual(notice: Notice) -> Notice:
    """The same notice with a different, still consistent 年税額 for the first employee.

    1,200 yen more raises every month by exactly 100, so the months still follow the 月割 rule and only
    a reused messageId can make a correct receiver refuse the changed notice.
    """
    first = notice.employees[0]
    annual = first.annual + 1200
    return _with_first(notice, Employee(first.atena_no, annual, tuple(split(annual))))


def _with_first(notice: Notice, first: Employee) -> Notice:
    return Notice(notice.shitei_no, notice.lg_code, notice.nendo, notice.kubun, (first, *notice.employees[1:]))


def tsuchi_ichiran(nendo: int | None = None) -> etree._Element:
    req = etree.Element(Z + "TsuchiIchiranShokaiRequest", nsmap=NSMAP)
    if nendo is not None:
        _text(req, "nendo", nendo)
    return req


def seihon_shutoku(receipt_id: str) -> etree._Element:
    req = etree.Element(Z + "SeihonShutokuRequest", nsmap=NSMAP)
    _text(req, "receiptId", receipt_id)
    return req


def schema_invalid_tsuchi(notice: Notice) -> etree._Element:
    """A notice with eleven months for the first employee: refused by zei.xsd (maxOccurs/minOccurs 12)."""
    req = zeigaku_tsuchi(notice)
    first = req.find(f"{Z}tsuchi/{Z}nozeiGimusha")
    assert first is not None
    first.remove(first.findall(Z + "getsugaku")[-1])
    return req

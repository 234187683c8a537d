"""Sample 住民 records and operation bodies the kit sends, built in schema order.

Each run uses fresh 宛名番号 so that a product's history (and its 1010 stale rule) from earlier runs
never changes the outcome of this one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from lxml import etree

from conformance.contract import NS_JUMIN

J = f"{{{NS_JUMIN}}}"
NSMAP = {"j": NS_JUMIN}


@dataclass(frozen=True)
class Resident:
    """The few facts of a sample resident the features refer to."""

    atena_no: str
    setai_no: str
    lg_code: str
    shimei: str = "木曽 太郎"
    oaza: str = "大字西対海地"
    banchi: str = "251"


def fresh_resident(lg_code: str, rng: random.Random | None = None) -> Resident:
    r = rng or random.SystemRandom()
    return Resident(atena_no="9" + "".join(r.choice("0123456789") for _ in range(10)),
                    setai_no="8" + "".join(r.choice("0123456789") for _ in range(10)), lg_code=lg_code)


def days_ago(n: int) -> str:
    return (date.today() - timedelta(days=n)).isoformat()


def _text(parent: etree._Element, name: str, value: str) -> etree._Element:
    el = etree.SubElement(parent, J + name)
    el.text = value
    return el


def jumin_element(res: Resident, ido_jiyu: str, ido_date: str, tag: str = "jumin") -> etree._Element:
    """A JuminType element: 識別, 状態, 氏名, 属性, 住所 in the order jumin.xsd requires."""
    jumin = etree.Element(J + tag, nsmap=NSMAP)
    shikibetsu = etree.SubElement(jumin, J + "shikibetsu")
    _text(shikibetsu, "atenaNo", res.atena_no)
    _text(shikibetsu, "setaiNo", res.setai_no)
    _text(shikibetsu, "lgCode", res.lg_code)
    jotai = etree.SubElement(jumin, J + "jotai")
    _text(jotai, "juminShubetsu", "1")
    _text(jotai, "juminJotai", "1")
    _text(jotai, "idoJiyu", ido_jiyu)
    _text(jotai, "idoDate", ido_date)
    shimei = etree.SubElement(jumin, J + "shimei")
    _text(shimei, "shimei", res.shimei)
    _text(shimei, "shimeiKana", "キソ タロウ")
    zokusei = etree.SubElement(jumin, J + "zokusei")
    _text(zokusei, "birthDate", "1980-04-01")
    _text(zokusei, "seibetsu", "1")
    _text(zokusei, "zokugara", "01")
    jusho = etree.SubElement(jumin, J + "jusho")
    _text(jusho, "postcode", "4980806")
    _text(jusho, "prefecture", "三重県")
    _text(jusho, "city", "桑名郡木曽岬町")
    _text(jusho, "oaza", res.oaza)
    _text(jusho, "banchi", res.banchi)
    return jumin


def ido_tsuchi(res: Resident, ido_jiyu: str = "10", ido_date: str | None = None) -> etree._Element:
    """IdoTsuchiRequest: 10 転入 by default, dated two days ago so that 照会 as of today sees it."""
    when = ido_date or days_ago(2)
    req = etree.Element(J + "IdoTsuchiRequest", nsmap=NSMAP)
    ido = etree.SubElement(req, J + "ido")
    _text(ido, "idoJiyu", ido_jiyu)
    _text(ido, "idoDate", when)
    _text(ido, "todokedeDate", when)
    ido.append(jumin_element(res, ido_jiyu, when))
    return req


def jumin_shokai(atena_no: str) -> etree._Element:
    req = etree.Element(J + "JuminShokaiRequest", nsmap=NSMAP)
    _text(req, "atenaNo", atena_no)
    return req


def setai_shokai(setai_no: str) -> etree._Element:
    req = etree.Element(J + "SetaiShokaiRequest", nsmap=NSMAP)
    _text(req, "setaiNo", setai_no)
    return req


def ido_ichiran(*, since: str | None = None, cursor: str | None = None,
                page_size: int | None = None) -> etree._Element:
    req = etree.Element(J + "IdoIchiranShokaiRequest", nsmap=NSMAP)
    if cursor is not None:
        _text(req, "cursor", cursor)
    else:
        _text(req, "since", since or "1970-01-01T00:00:00+09:00")
    if page_size is not None:
        _text(req, "pageSize", str(page_size))
    return req


def schema_invalid(operation: str, res: Resident) -> etree._Element:
    """A body that breaks jumin.xsd but stays well-formed: a 宛名番号 with letters."""
    body = ido_tsuchi(res) if operation == "IdoTsuchi" else jumin_shokai(res.atena_no)
    target = body.find(f".//{J}atenaNo")
    assert target is not None
    target.text = "ABC-not-a-number"
    return body

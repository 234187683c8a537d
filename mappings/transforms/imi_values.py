"""Transforms that build small IMI structured values (日付型, コード型, ID型).

Some IMI properties take an object whose parts only make sense together: a コード型 without its
コード種別 is an unlabelled number. Building them in one step keeps a spec from emitting half an
object when the source value is absent. `produces` tells the loader which class comes out, so it
can check the class fits the property the rule writes to.
"""

from __future__ import annotations

from typing import Any

from mappings.transforms.dates import iso_date
from mappings.transforms.registry import Arg, Transform


def _name(text: str) -> dict[str, str]:
    """名称 takes a 名称型 object in IMI core, not a bare string."""
    return {"@type": "名称型", "表記": text}


def date_to_imi(value: Any, _arg: Any) -> dict[str, Any]:
    """ISO date → 日付型 with 標準型日付."""
    return {"@type": "日付型", "標準型日付": iso_date(value, None)}


def date_to_imi_datetime(value: Any, _arg: Any) -> dict[str, Any]:
    """ISO date → 日時型 by 年/月/日, for properties whose range is 日時型 (活動型.日時).

    標準型日時 is an xsd:dateTime; a day without a time would need an invented midnight, so the
    parts and the ISO 表記 carry the day instead.
    """
    iso = iso_date(value, None)
    year, month, day = (int(part) for part in iso.split("-"))
    return {"@type": "日時型", "年": year, "月": month, "日": day, "表記": iso}


def imi_code(value: Any, arg: Any) -> dict[str, Any]:
    """A code → コード型 naming the code list it belongs to (``{imi_code: 町字ID}``)."""
    return {
        "@type": "コード型",
        "コード種別": {"@type": "コードリスト型", "名称": _name(arg)},
        "識別値": str(value),
    }


def imi_id(value: Any, arg: Any) -> dict[str, Any]:
    """An identifier → ID型 naming its 体系 (``{imi_id: 宛名番号}``)."""
    return {"@type": "ID型", "体系": {"@type": "ID体系型", "名称": _name(arg)}, "識別値": str(value)}


def _check_name(arg: Any) -> None:
    if not isinstance(arg, str) or not arg:
        raise ValueError("the argument is the name of the code list or ID scheme")


TRANSFORMS = (
    Transform("date_to_imi", date_to_imi, produces="日付型"),
    Transform("date_to_imi_datetime", date_to_imi_datetime, produces="日時型"),
    Transform("imi_code", imi_code, arg=Arg.REQUIRED, check=_check_name, produces="コード型"),
    Transform("imi_id", imi_id, arg=Arg.REQUIRED, check=_check_name, produces="ID型"),
)

__all__ = ["TRANSFORMS", "date_to_imi", "date_to_imi_datetime", "imi_code", "imi_id"]

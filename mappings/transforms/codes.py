"""Code transforms: code lists, 団体コード, and address parts.

Code lists come from `vocab.codelists`; naming a list that does not exist is a load-time error
(checked by `_check_list`), a code that is not in the list is a field error.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from mappings.errors import TransformError
from mappings.transforms.registry import Arg, Transform
from vocab import address, codelists, lgcode

#: e-Stat statistical area code URIs (5-digit 団体コード), as the IMI address tools emit them
ESTAT_SAC = "http://data.e-stat.go.jp/lod/sac/C"


def _check_list(arg: Any) -> None:
    if not isinstance(arg, str) or arg not in codelists.list_names():
        raise ValueError(f"unknown code list {arg!r} (known: {', '.join(codelists.list_names())})")


def code_label(value: Any, arg: Any) -> str:
    """Code → its label in the named list (``1`` → ``男`` in ``seibetsu``)."""
    try:
        return codelists.load(arg).label(str(value))
    except codelists.UnknownCodeError as exc:
        raise TransformError(str(exc)) from exc


def code_check(value: Any, arg: Any) -> str:
    """Refuse a code that is not in the named list; pass a good one on unchanged."""
    code = str(value).strip()
    if code not in codelists.load(arg):
        raise TransformError(f"code {code!r} is not in code list {arg!r}")
    return code


def lg_code_check(value: Any, _arg: Any) -> str:
    """A 6-digit 団体コード whose check digit is right; a wrong one routes data to another town."""
    code = str(value).strip()
    if not lgcode.is_valid(code):
        raise TransformError(f"{code!r} is not a 6-digit 団体コード with a correct check digit")
    return code


def lg_code_uri(value: Any, _arg: Any) -> str:
    """6-digit 団体コード → e-Stat 市区町村 URI (``243035`` → ``…/sac/C24303``)."""
    return ESTAT_SAC + lgcode.to_five(lg_code_check(value, None))


def pref_code_uri(value: Any, _arg: Any) -> str:
    """6-digit 団体コード → e-Stat URI of its 都道府県 (``243035`` → ``…/sac/C24000``)."""
    return ESTAT_SAC + lg_code_check(value, None)[:2] + "000"


@lru_cache(maxsize=32768)
def _normalized(text: str) -> dict[str, Any]:
    # sized for a city's register: members of a household share the address text
    return dict(address.normalize(text))


#: parts of vocab.address.normalize's result a spec may pick
ADDRESS_PARTS = (
    "prefecture",
    "county",
    "city",
    "oaza",
    "banchi",
    "katagaki",
    "postcode",
    "lg_code",
    "machiaza_id",
)


def address_part(value: Any, arg: Any) -> str | None:
    """One part (or several, joined: ``[county, city]``) of a one-string address.

    The split is `vocab.address.normalize`'s; several rules read the same address column, so it is
    cached per text.
    """
    try:
        parts = _normalized(str(value))
    except ValueError as exc:
        raise TransformError(str(exc)) from exc
    names = arg if isinstance(arg, list) else [arg]
    joined = "".join(str(parts[name]) for name in names if parts.get(name))
    return joined or None


def address_katagaki(value: Any, _arg: Any) -> str | None:
    """方書 from [方書 column, address string]: the column, else what follows the 番地 in the address.

    When both carry one they are joined, so a 方書 written into the address is never lost.
    """
    column, text = (value + [None, None])[:2] if isinstance(value, list) else (None, value)
    in_address = address_part(text, "katagaki") if text else None
    found = [part for part in (column, in_address) if part]
    if len(found) == 2 and found[0] == found[1]:
        return str(found[0])
    return " ".join(str(part) for part in found) or None


def _check_part(arg: Any) -> None:
    names = arg if isinstance(arg, list) else [arg]
    for name in names:
        if name not in ADDRESS_PARTS:
            raise ValueError(f"unknown address part {name!r} (known: {', '.join(ADDRESS_PARTS)})")


TRANSFORMS = (
    Transform("code_label", code_label, arg=Arg.REQUIRED, check=_check_list),
    Transform("code_check", code_check, arg=Arg.REQUIRED, check=_check_list),
    Transform("lg_code_check", lg_code_check),
    Transform("lg_code_uri", lg_code_uri),
    Transform("pref_code_uri", pref_code_uri),
    Transform("address_part", address_part, arg=Arg.REQUIRED, check=_check_part),
    Transform("address_katagaki", address_katagaki),
)

__all__ = ["ADDRESS_PARTS", "ESTAT_SAC", "TRANSFORMS", "address_part", "code_check", "code_label"]

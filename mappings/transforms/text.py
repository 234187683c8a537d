"""Text transforms: character width, 外字, names, fixed values and joins.

Names are legal identifiers on a 住民票, so nothing here rewrites a character it is not sure of:
width conversion and 外字 resolution are `vocab.moji`'s, and `split_shimei` splits only on the
space the registry itself wrote between 氏 and 名, never guessing a boundary.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from mappings.errors import TransformError
from mappings.transforms.registry import Arg, Transform
from vocab import moji

_NAME_SEPARATOR = re.compile(r"[ \u3000]+")
_BLANKS = " \u3000\t"


def strip(value: Any, _arg: Any) -> str:
    """Trim half- and full-width blanks that fixed-width and hand-made files leave around values."""
    return str(value).strip(_BLANKS)


def hankaku_to_zenkaku(value: Any, _arg: Any) -> str:
    """Half-width katakana (JIS X 0201, legacy files) → full-width, as standard systems store カナ."""
    return moji.to_fullwidth_kana(str(value))


@lru_cache(maxsize=8)
def _gaiji_table(path: str | None) -> moji.GaijiTable:
    return moji.load_gaiji_table(path)


def resolve_gaiji(value: Any, arg: Any) -> str:
    """Vendor 外字 (private-use characters) → standard Unicode, through the town's 外字 table.

    The argument is the path of the table the core-system vendor supplied; without one, the sample
    table in vocab is used. An unmapped 外字 is a field error, never a replacement character.
    """
    try:
        return moji.resolve_gaiji(str(value), _gaiji_table(arg))
    except moji.UnmappedGaijiError as exc:
        raise TransformError(str(exc)) from exc


def _check_table(arg: Any) -> None:
    if arg is None:
        return
    if not isinstance(arg, str):
        raise ValueError("the argument of resolve_gaiji is the path of a 外字 table")
    try:
        _gaiji_table(arg)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot load 外字 table {arg!r}: {exc}") from exc


def digits(value: Any, arg: Any) -> str:
    """Full-width digits → ASCII, hyphens dropped (``４９８－０８１１`` → ``4980811``); optional length."""
    if type(value) is str and value.isascii() and value.isdigit():
        text = value  # already ASCII digits, as most values are: nothing to convert, strip or drop
    else:
        text = moji.to_halfwidth_ascii(str(value)).strip().replace("-", "").replace("\u2212", "")
    if not (text.isascii() and text.isdigit()):
        raise TransformError("not a number")  # the value is not echoed: it may be a 個人番号
    if arg is not None and len(text) != arg:
        raise TransformError(f"has {len(text)} digits, {arg} expected")
    return text


def _check_length(arg: Any) -> None:
    if arg is not None and (not isinstance(arg, int) or arg <= 0):
        raise ValueError("the argument of digits is the expected number of digits")


def split_shimei(value: Any, arg: Any) -> str | None:
    """氏 (``sei``) or 名 (``mei``) of a name registered as ``氏 名``.

    A name without a space (some foreign residents' names, or a registry that never separated
    them) has no known boundary: 氏 gets nothing and 名 gets nothing, so no field is made up.
    """
    parts = _NAME_SEPARATOR.split(str(value).strip(_BLANKS), maxsplit=1)
    if len(parts) != 2:
        return None
    return parts[0] if arg == "sei" else parts[1]


def _check_part(arg: Any) -> None:
    if arg not in ("sei", "mei"):
        raise ValueError("split_shimei takes `sei` (氏) or `mei` (名)")


def const(_value: Any, arg: Any) -> Any:
    """A fixed value (a 団体コード a legacy file leaves implicit, a 体系 name)."""
    return arg


def concat(value: Any, arg: Any) -> str:
    """Join the non-empty source values with the separator given (default: nothing)."""
    items = value if isinstance(value, list) else [value]
    return (arg or "").join(str(item) for item in items if item not in (None, ""))


def join_all(value: Any, arg: Any) -> str | None:
    """Join the source values only when every one is present (a code that needs its prefix)."""
    items = value if isinstance(value, list) else [value]
    if any(item in (None, "") for item in items):
        return None
    return (arg or "").join(str(item) for item in items)


def _check_separator(arg: Any) -> None:
    if arg is not None and not isinstance(arg, str):
        raise ValueError("the separator of concat must be a string")


def _check_const(arg: Any) -> None:
    if arg is None or isinstance(arg, (dict, list)):
        raise ValueError("const takes one scalar value")


TRANSFORMS = (
    Transform("strip", strip),
    Transform("hankaku_to_zenkaku", hankaku_to_zenkaku),
    Transform("resolve_gaiji", resolve_gaiji, arg=Arg.OPTIONAL, check=_check_table),
    Transform("digits", digits, arg=Arg.OPTIONAL, check=_check_length),
    Transform("split_shimei", split_shimei, arg=Arg.REQUIRED, check=_check_part),
    Transform("const", const, arg=Arg.REQUIRED, check=_check_const, needs_source=False),
    Transform("concat", concat, arg=Arg.OPTIONAL, check=_check_separator),
    Transform("join_all", join_all, arg=Arg.OPTIONAL, check=_check_separator),
)

__all__ = [
    "TRANSFORMS",
    "concat",
    "const",
    "digits",
    "hankaku_to_zenkaku",
    "join_all",
    "resolve_gaiji",
    "split_shimei",
    "strip",
]

"""The 自治体標準オープンデータセット templates as data (``templates.yaml``), and header matching that
tolerates the look-alike characters real publishers use (焼津市 writes ``コ―ド`` with U+2015).

Columns are matched by position: a template's meaning is its column order, and a published file with
one renamed or look-alike column is still that template. :func:`header_problems` says what differs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

__all__ = ["Template", "header_key", "header_problems", "template", "templates"]

SOURCE = Path(__file__).with_name("templates.yaml")
# dashes and bars that stand in for the long-vowel mark ー (U+30FC) in hand-typed headers
_LOOKALIKE = str.maketrans({"\u2015": "ー", "\u2014": "ー", "\u2010": "ー", "\uff0d": "ー", "\u2500": "ー",
                            "\u2212": "ー", "\uff70": "ー"})
TYPES = ("string", "number", "integer", "date", "time")


@dataclass(frozen=True)
class Template:
    name: str
    file: str  # the file-name part after the 団体コード: 243035_<file>.csv
    columns: tuple[str, ...]
    required: frozenset[str]
    types: dict[str, str]
    flags: tuple[str, ...]  # ○-or-empty columns
    verified: bool

    def type_of(self, column: str) -> str:
        return self.types.get(column, "string")


def header_key(name: str) -> str:
    """The name used to compare headers: NFKC, BOM and spaces dropped, look-alike dashes as ー."""
    return unicodedata.normalize("NFKC", name.replace("\ufeff", "").translate(_LOOKALIKE)).strip()


@cache
def templates() -> dict[str, Template]:
    raw = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["templates"]
    out = {}
    for name, t in raw.items():
        columns = tuple(t["columns"])
        for group in ("required", "flags"):
            unknown = set(t.get(group, [])) - set(columns)
            if unknown:
                raise ValueError(f"{SOURCE.name}: {name}: {group} names columns not in the header: {sorted(unknown)}")
        for column, kind in t.get("types", {}).items():
            if column not in columns or kind not in TYPES:
                raise ValueError(f"{SOURCE.name}: {name}: type {kind!r} of {column!r}")
        out[name] = Template(name, t["file"], columns, frozenset(t.get("required", [])), dict(t.get("types", {})),
                             tuple(t.get("flags", [])), bool(t["verified"]))
    return out


def template(name: str) -> Template:
    try:
        return templates()[name]
    except KeyError:
        raise KeyError(f"自治体標準オープンデータセット {name!r} のテンプレートはありません "
                       f"(あるのは {', '.join(templates())})") from None


def header_problems(found: list[str], tpl: Template) -> list[str]:
    """Differences between a file's header and the template, by position. Look-alike characters are
    reported as repairs (the column is still recognised); other differences are errors."""
    problems = []
    if len(found) != len(tpl.columns):
        problems.append(f"列数が {len(found)} です (テンプレートは {len(tpl.columns)} 列)")
    for position, (got, want) in enumerate(zip(found, tpl.columns, strict=False), start=1):
        if got == want:
            continue
        if header_key(got) == header_key(want):
            problems.append(f"列 {position}: {got!r} を {want!r} として読みました (似た文字)")
        else:
            problems.append(f"列 {position}: {got!r} はテンプレートでは {want!r} です")
    return problems

"""Code lists (性別, 続柄, 異動事由, 年号, 介護 …) loaded from CSV files in ``vocab/data/codelists``.

Lists are data, not code, so that a list can be corrected or re-keyed to the official table
without touching the logic; ``vocab/data/SOURCES.md`` records where each list comes from and which
codes are hub Design. Every list has the columns ``code,label,key,category``.

Exceptions::

    ValueError
    └── UnknownCodeError      a code, label or key that the named list does not contain
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from vocab._data import data_file, read_csv_rows

__all__ = [
    "CodeEntry",
    "CodeList",
    "UnknownCodeError",
    "list_names",
    "load",
    "nengo_to_1digit",
    "nengo_to_2digit",
]


class UnknownCodeError(ValueError):
    """A value is not in a code list. The message names the list and the value."""

    def __init__(self, list_name: str, value: str, kind: str = "code") -> None:
        self.list_name = list_name
        self.value = value
        self.kind = kind
        super().__init__(f"{kind} {value!r} is not in code list {list_name!r}")


@dataclass(frozen=True)
class CodeEntry:
    """One row of a code list."""

    code: str
    label: str
    key: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class CodeList:
    """An immutable code list with look-ups in both directions.

    Labels and keys are unique within a list (checked at construction), so ``code_for`` is
    unambiguous; a list that breaks this fails when it is loaded, not when it is first used.
    """

    name: str
    title: str
    entries: tuple[CodeEntry, ...]

    def __post_init__(self) -> None:
        for attribute in ("code", "label", "key"):
            seen: set[str] = set()
            for entry in self.entries:
                value = getattr(entry, attribute)
                if value is None:
                    continue
                if value in seen:
                    raise ValueError(f"code list {self.name!r} repeats {attribute} {value!r}")
                seen.add(value)

    def _by_code(self, code: str) -> CodeEntry:
        for entry in self.entries:
            if entry.code == code:
                return entry
        raise UnknownCodeError(self.name, code)

    def label(self, code: str) -> str:
        """The label for ``code`` (``"1"`` → ``"男"`` in ``seibetsu``)."""
        return self._by_code(code).label

    def key(self, code: str) -> str | None:
        """The romanised key for ``code`` (``"10"`` → ``"tennyu"`` in ``ido_jiyu``)."""
        return self._by_code(code).key

    def category(self, code: str) -> str | None:
        """The group of ``code`` (増/減/変更, 取得/変更/喪失 …), or None where the list has none."""
        return self._by_code(code).category

    def code_for(self, label: str) -> str:
        """The code whose label is exactly ``label``."""
        for entry in self.entries:
            if entry.label == label:
                return entry.code
        raise UnknownCodeError(self.name, label, kind="label")

    def code_for_key(self, key: str) -> str:
        """The code whose romanised key is ``key``."""
        for entry in self.entries:
            if entry.key == key:
                return entry.code
        raise UnknownCodeError(self.name, key, kind="key")

    def codes(self) -> tuple[str, ...]:
        """All codes in file order."""
        return tuple(entry.code for entry in self.entries)

    def in_category(self, category: str) -> tuple[str, ...]:
        """The codes of one group, e.g. every 増 事由."""
        return tuple(entry.code for entry in self.entries if entry.category == category)

    def __contains__(self, code: object) -> bool:
        return any(entry.code == code for entry in self.entries)

    def __iter__(self) -> Iterator[CodeEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@cache
def _index() -> dict[str, tuple[str, str]]:
    rows = read_csv_rows(data_file("codelists", "index.csv"))
    return {row["name"]: (row["file"], row["title"]) for row in rows}


def list_names() -> tuple[str, ...]:
    """Names accepted by ``load``."""
    return tuple(_index())


@cache
def load(list_name: str) -> CodeList:
    """Load a code list by name (``seibetsu``, ``zokugara``, ``ido_jiyu``, ``nengo_1digit`` …).

    Lists are immutable, so one instance per name is shared.
    """
    index = _index()
    if list_name not in index:
        raise KeyError(f"no code list named {list_name!r}; known: {', '.join(index)}")
    file_name, title = index[list_name]
    entries = tuple(
        CodeEntry(
            code=row["code"],
            label=row["label"],
            key=row.get("key") or None,
            category=row.get("category") or None,
        )
        for row in read_csv_rows(data_file("codelists", file_name))
    )
    return CodeList(name=list_name, title=title, entries=entries)


def nengo_to_2digit(code: str) -> str:
    """年号コード 1 digit (既存住基) → 2 digits (中間標準レイアウト): ``"4"`` → ``"04"``."""
    return load("nengo_2digit").code_for(load("nengo_1digit").label(code))


def nengo_to_1digit(code: str) -> str:
    """年号コード 2 digits (中間標準レイアウト) → 1 digit (既存住基): ``"05"`` → ``"5"``."""
    return load("nengo_1digit").code_for(load("nengo_2digit").label(code))

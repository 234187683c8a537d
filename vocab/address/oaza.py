"""The 大字 (町域) of a municipality: name, kana, postcode and, once known, 町字ID.

The list for 木曽岬町 comes from Japan Post's 町域 data (``vocab/data/kisosaki_oaza.csv``). 町字ID
(ABR 町字マスター) is read from an optional ``machiaza_id`` column and is otherwise None: it is
never derived or invented, because a wrong 町字ID silently joins data to the wrong place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from vocab._data import data_file, read_csv_rows
from vocab.moji.match import match_key
from vocab.moji.prefix_index import NamePrefixIndex

__all__ = ["Oaza", "OazaList"]


@dataclass(frozen=True)
class Oaza:
    """One 大字 as registered (the name is kept exactly as the source writes it)."""

    name: str
    kana: str
    postcode: str | None
    machiaza_id: str | None = None


class OazaList:
    """The 大字 of one municipality, searchable with 異体字 and width tolerance."""

    def __init__(self, entries: Iterable[Oaza]) -> None:
        self._entries = tuple(entries)
        for entry in self._entries:
            if entry.postcode is not None and not re.fullmatch(r"\d{7}", entry.postcode):
                raise ValueError(f"大字 {entry.name!r}: postcode {entry.postcode!r} is not 7 digits")
            if entry.machiaza_id is not None and not re.fullmatch(r"\d{7}", entry.machiaza_id):
                raise ValueError(f"大字 {entry.name!r}: machiaza_id {entry.machiaza_id!r} is not 7 digits")
        # Longest names first, so 見入流作 is tried before 見入 and 新加路戸 before 加路戸.
        self._by_length = sorted(self._entries, key=lambda entry: len(entry.name), reverse=True)

    @classmethod
    def load(cls, source: str | Path | None = None) -> OazaList:
        """Load ``postcode,oaza,oaza_kana[,machiaza_id]`` CSV; default: 木曽岬町's list."""
        rows = read_csv_rows(data_file("kisosaki_oaza.csv") if source is None else source)
        return cls(
            Oaza(
                name=row["oaza"],
                kana=row.get("oaza_kana", ""),
                postcode=row.get("postcode") or None,
                machiaza_id=row.get("machiaza_id") or None,
            )
            for row in rows
        )

    def find(self, name: str) -> Oaza | None:
        """The 大字 whose name matches ``name`` (大字 prefix, variants and width tolerated)."""
        wanted = match_key(name.strip().removeprefix("大字"))
        for entry, key in self._keyed:
            if key == wanted:
                return entry
        return None

    def match_start(self, text: str) -> tuple[Oaza, int] | None:
        """The 大字 that ``text`` starts with and how many characters of ``text`` it covers."""
        return self._index.match_start(text)

    @cached_property
    def _keyed(self) -> tuple[tuple[Oaza, str], ...]:
        """Each entry with its match key; the list never changes, so the keys are made once."""
        return tuple((entry, match_key(entry.name)) for entry in self._entries)

    @cached_property
    def _index(self) -> NamePrefixIndex[Oaza]:
        """The entries, longest names first, searchable by their keys (made once per list)."""
        return NamePrefixIndex((entry, entry.name) for entry in self._by_length)

    def __iter__(self) -> Iterator[Oaza]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

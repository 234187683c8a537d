"""A fixed list of names, searched at the start of a text with 異体字 tolerance.

`match_prefix` tries one name; a parser that tries a fixed list (a town's 大字) in order would
normalise every name and every prefix again per text. Here the names' match keys are made once
and grouped by their first character, so only names that can match the text's first character are
tried, with exactly `match_prefix`'s rule: the first name of the list that matches wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from vocab.moji.match import PrefixKeys, match_key

__all__ = ["NamePrefixIndex"]

T = TypeVar("T")


class NamePrefixIndex(Generic[T]):
    """Items named by a string, in the order they are to be tried."""

    def __init__(self, items: Iterable[tuple[T, str]]) -> None:
        keyed = [(item, match_key(name)) for item, name in items]
        # a name whose key is empty never matches (match_prefix gives None for it)
        self._all = tuple((item, key) for item, key in keyed if key)
        buckets: dict[str, list[tuple[T, str]]] = {}
        for item, key in self._all:
            buckets.setdefault(key[0], []).append((item, key))
        self._by_first = {first: tuple(found) for first, found in buckets.items()}

    def match_start(self, text: str) -> tuple[T, int] | None:
        """The first item whose name ``text`` starts with, and the length of text it covers.

        A name whose key does not start with the key of the text's first character fails on the
        first prefix already, so only the names sharing that character are tried; a first
        character whose key is empty (a space, a variation selector) rules out no name.
        """
        if not text:
            return None
        prefixes = PrefixKeys(text)
        first = prefixes.key(1)
        candidates = self._by_first.get(first[0], ()) if first else self._all
        for item, key in candidates:
            length = prefixes.length_of(key)
            if length is not None:
                return item, length
        return None

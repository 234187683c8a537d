"""Vendor 外字 (private-use code points) resolved through a town-supplied table.

Core systems store characters outside JIS as vendor 外字 in the Unicode private-use area; the
code point means nothing outside that vendor. The vendor supplies a table (``vendor_code,
mj_name, ucs, ivs``) mapping each one to its MJ文字図形名 and to standard Unicode — with an IVS
when the exact glyph matters (names in 戸籍 and 住民票). ``vocab/data/town_gaiji_map.csv`` holds
sample rows only.

Resolution never guesses: an unmapped private-use character raises ``UnmappedGaijiError``
carrying its position, and callers that know the record add the row and column.

Exceptions::

    ValueError
    ├── GaijiTableError       a malformed table (fails at load, with the line number)
    └── UnmappedGaijiError    a PUA character the table does not map
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from vocab._data import data_file, read_csv_rows

__all__ = [
    "GaijiEntry",
    "GaijiTable",
    "GaijiTableError",
    "UnmappedGaijiError",
    "is_private_use",
    "load_gaiji_table",
    "resolve_gaiji",
]

_CODE_POINT = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


def is_private_use(char: str) -> bool:
    """True for the BMP private-use area and the two supplementary private-use planes."""
    code = ord(char)
    return 0xE000 <= code <= 0xF8FF or 0xF0000 <= code <= 0xFFFFD or 0x100000 <= code <= 0x10FFFD


class GaijiTableError(ValueError):
    """The 外字 table itself is malformed."""


class UnmappedGaijiError(ValueError):
    """A private-use character has no entry in the 外字 table.

    ``position`` is the index in the text; ``row`` and ``column`` are filled in by callers that
    process records (``error.at(row=12, column="氏名")``) so the operator can find the field.
    """

    def __init__(self, char: str, position: int, row: int | str | None = None, column: str | None = None):
        self.char = char
        self.code_point = f"U+{ord(char):04X}"
        self.position = position
        self.row = row
        self.column = column
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"position {self.position}"
        if self.column is not None:
            where = f"column {self.column!r}, {where}"
        if self.row is not None:
            where = f"row {self.row}, {where}"
        return f"unmapped 外字 {self.code_point} at {where}"

    def at(self, row: int | str | None = None, column: str | None = None) -> UnmappedGaijiError:
        """Record where in a file or record the character was found; returns self for ``raise``."""
        if row is not None:
            self.row = row
        if column is not None:
            self.column = column
        self.args = (self._message(),)
        return self

    def __str__(self) -> str:
        return self._message()


@dataclass(frozen=True)
class GaijiEntry:
    """One vendor 外字: where it maps in MJ and Unicode."""

    vendor_code: str
    mj_name: str | None
    ucs: str
    ivs: str | None

    def text(self, prefer_ivs: bool = True) -> str:
        """The Unicode text for this character: base + variation selector when known."""
        return self.ivs if prefer_ivs and self.ivs else self.ucs


def _code_points(field: str, line: int, name: str) -> str:
    chars = []
    for part in field.split():
        match = _CODE_POINT.fullmatch(part)
        if match is None:
            break
        chars.append(chr(int(match.group(1), 16)))
    else:
        if chars:
            return "".join(chars)
    raise GaijiTableError(f"line {line}: {name} {field!r} is not U+XXXX code points")


class GaijiTable(Mapping[str, GaijiEntry]):
    """Vendor 外字 table keyed by the private-use character itself."""

    def __init__(self, entries: Iterable[GaijiEntry]) -> None:
        self._entries: dict[str, GaijiEntry] = {}
        for entry in entries:
            if entry.vendor_code in self._entries:
                raise GaijiTableError(f"vendor code U+{ord(entry.vendor_code):04X} is mapped twice")
            self._entries[entry.vendor_code] = entry

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> GaijiTable:
        """Build from CSV rows; line numbers in errors count the header as line 1."""
        entries = []
        for line, row in enumerate(rows, start=2):
            vendor = _code_points(row.get("vendor_code", ""), line, "vendor_code")
            if len(vendor) != 1 or not is_private_use(vendor):
                raise GaijiTableError(
                    f"line {line}: vendor_code {row['vendor_code']!r} is not one PUA character"
                )
            mj_name = (row.get("mj_name") or "").strip() or None
            if mj_name is not None and not re.fullmatch(r"MJ\d{6}", mj_name):
                raise GaijiTableError(f"line {line}: mj_name {mj_name!r} is not MJ + 6 digits")
            ucs = _code_points(row.get("ucs", ""), line, "ucs")
            ivs_field = (row.get("ivs") or "").strip()
            ivs = _code_points(ivs_field, line, "ivs") if ivs_field else None
            entries.append(GaijiEntry(vendor, mj_name, ucs, ivs))
        return cls(entries)

    def __getitem__(self, char: str) -> GaijiEntry:
        return self._entries[char]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def load_gaiji_table(path: str | Path | None = None) -> GaijiTable:
    """Load a town's 外字 table (CSV); without a path, the sample shipped in ``vocab/data``."""
    source = data_file("town_gaiji_map.csv") if path is None else path
    return GaijiTable.from_rows(read_csv_rows(source))


def resolve_gaiji(text: str, table: Mapping[str, GaijiEntry], prefer_ivs: bool = True) -> str:
    """Return a copy of ``text`` with every vendor 外字 replaced by standard Unicode.

    Characters outside the private-use area pass through unchanged. The first unmapped
    private-use character raises ``UnmappedGaijiError`` with its position.
    """
    out: list[str] = []
    for position, char in enumerate(text):
        if not is_private_use(char):
            out.append(char)
            continue
        entry = table.get(char)
        if entry is None:
            raise UnmappedGaijiError(char, position)
        out.append(entry.text(prefer_ivs))
    return "".join(out)

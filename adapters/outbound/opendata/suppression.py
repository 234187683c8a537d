"""Small-cell suppression for published counts.

A table is a set of cells and of *lines*: published equations ``total = sum(members)`` (a row total, a
column total, 総人口 = 男性 + 女性). Primary suppression hides every count from 1 to ``floor - 1``.
Secondary suppression then hides more cells until no hidden cell can be worked out again:

1. no line may have exactly one hidden cell (it would be its total minus the rest), and
2. no hidden cell may be determined by any combination of lines — checked exactly by Gaussian
   elimination of the lines' coefficients over the hidden cells (a cell is determined if and only if
   its unit vector lies in the row space).

Partners are chosen as the smallest positive visible count in the offending line, to hide as little
as possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Line", "determined", "suppress"]

Key = Any  # any hashable cell name, e.g. (region, column)
_P = (1 << 61) - 1  # a prime: elimination is exact over GF(p) for these small integer coefficients


@dataclass(frozen=True)
class Line:
    total: Key
    members: tuple[Key, ...]

    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.members)


def determined(hidden: set[Key], lines: list[Line]) -> set[Key]:
    """Hidden cells an attacker can compute exactly from the visible cells and the lines."""
    order = sorted(hidden, key=repr)
    index = {k: i for i, k in enumerate(order)}
    rows: list[dict[int, int]] = []
    for line in lines:
        row: dict[int, int] = {}
        for key, coefficient in [(line.total, -1), *((m, 1) for m in line.members)]:
            if key in index:
                row[index[key]] = (row.get(index[key], 0) + coefficient) % _P
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append(row)
    pivots: dict[int, dict[int, int]] = {}  # pivot column -> reduced row (pivot coefficient 1)
    for row in rows:
        for col, pivot_row in pivots.items():
            if col in row:
                factor = row[col]
                for k, v in pivot_row.items():
                    row[k] = (row.get(k, 0) - factor * v) % _P
                row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        inverse = pow(row[col], _P - 2, _P)
        row = {k: v * inverse % _P for k, v in row.items()}
        for other in pivots.values():
            if col in other:
                factor = other[col]
                for k, v in row.items():
                    other[k] = (other.get(k, 0) - factor * v) % _P
                for k in [k for k, v in other.items() if not v]:
                    del other[k]
        pivots[col] = row
    return {order[col] for col, row in pivots.items() if len(row) == 1}


def _partner(line: Line, hidden: set[Key], values: dict[Key, int]) -> Key | None:
    visible = [k for k in line.members if k not in hidden] or ([line.total] if line.total not in hidden else [])
    if not visible:
        return None
    return min(visible, key=lambda k: (values[k] <= 0, values[k], repr(k)))


def suppress(values: dict[Key, int], lines: list[Line], floor: int = 3) -> set[Key]:
    """The cells to hide: counts below ``floor`` (but not 0) and enough partners to protect them."""
    hidden = {k for k, v in values.items() if 0 < v < floor}
    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                if sum(k in hidden for k in line.cells()) == 1:
                    partner = _partner(line, hidden, values)
                    if partner is not None:
                        hidden.add(partner)
                        changed = True
        exposed = determined(hidden, lines)
        if not exposed:
            return hidden
        key = min(exposed, key=repr)
        for line in lines:
            if key in line.cells():
                partner = _partner(line, hidden, values)
                if partner is not None:
                    hidden.add(partner)
                    break
        else:  # every cell of every line through it is hidden already: nothing more can protect it
            return hidden

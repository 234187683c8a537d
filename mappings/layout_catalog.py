"""Layouts a spec can read from or write to, by name.

- ``canonical.jumin`` / ``canonical.ido``: element paths of the XSD contract
- ``csv.*`` and ``fixed.*``: the YAML files in ``mappings/layouts/``
- ``imi.jsonld``: IMI JSON-LD, checked against the IMI core vocabulary (see `mappings.imi_target`)

A layout answers one question for the loader — is this a field of mine? — and, as a target, gives
the output its final shape (a CSV row gets every column, in header order).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mappings import paths
from mappings.canonical_fields import CANONICAL_TYPES, canonical_fields
from mappings.csv_layout import CsvLayout
from mappings.csv_layout import load_layout as load_csv_layout
from mappings.errors import MappingSpecError
from mappings.fixed_width import FixedWidthLayout
from mappings.fixed_width import load_layout as load_fixed_layout
from mappings.marked_yaml import load_marked

LAYOUT_DIR = Path(__file__).resolve().parent / "layouts"
IMI_JSONLD = "imi.jsonld"


@dataclass(frozen=True)
class FieldListLayout:
    """A layout that is a flat list of known field paths."""

    name: str
    fields: frozenset[str]
    csv: CsvLayout | None = None

    def unknown(self, path: str, produces: str | None = None) -> str | None:
        """Why `path` is not a field of this layout, or None when it is."""
        try:
            shape = paths.shape(path)
        except ValueError as exc:
            return str(exc)
        if shape != path:
            return f"{self.name} has no repeated fields; remove the index from {path!r}"
        if path in self.fields:
            return None
        near = difflib.get_close_matches(path, sorted(self.fields), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        return f"unknown field {path!r} in layout {self.name}{hint}"

    def finish(self, output: dict[str, Any]) -> dict[str, Any]:
        return self.csv.complete(output) if self.csv is not None else output


@lru_cache(maxsize=4)
def file_layouts(folder: Path = LAYOUT_DIR) -> dict[str, CsvLayout | FixedWidthLayout]:
    """Every layout file in `folder`, by the name it declares; a broken file stops loading."""
    found: dict[str, CsvLayout | FixedWidthLayout] = {}
    for file in sorted(folder.glob("*.yaml")):
        doc = load_marked(file)
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        layout: CsvLayout | FixedWidthLayout
        if kind == "csv":
            layout = load_csv_layout(file)
        elif kind == "fixed_width":
            layout = load_fixed_layout(file)
        else:
            raise doc.error(f"unknown layout kind {kind!r} (csv or fixed_width)", "kind")
        if layout.name in found:
            raise doc.error(f"layout {layout.name!r} is also defined in {found[layout.name].file}", "name")
        found[layout.name] = layout
    return found


def layout_names(folder: Path = LAYOUT_DIR) -> list[str]:
    """Every name a spec may use as source or target."""
    return sorted([*CANONICAL_TYPES, *file_layouts(folder), IMI_JSONLD])


def field_layout(name: str, folder: Path = LAYOUT_DIR) -> FieldListLayout | None:
    """The field-list layout called `name`, or None (unknown name, or the IMI target)."""
    if name in CANONICAL_TYPES:
        return FieldListLayout(name, canonical_fields(name))
    layout = file_layouts(folder).get(name)
    if layout is None:
        return None
    return FieldListLayout(name, layout.fields, layout if isinstance(layout, CsvLayout) else None)


def csv_layout(name: str, folder: Path = LAYOUT_DIR) -> CsvLayout:
    """A CSV layout by name, for readers and writers of files."""
    layout = file_layouts(folder).get(name)
    if not isinstance(layout, CsvLayout):
        raise MappingSpecError(str(folder), None, f"no CSV layout named {name!r}")
    return layout


def fixed_width_layout(name: str, folder: Path = LAYOUT_DIR) -> FixedWidthLayout:
    """A fixed-width layout by name."""
    layout = file_layouts(folder).get(name)
    if not isinstance(layout, FixedWidthLayout):
        raise MappingSpecError(str(folder), None, f"no fixed-width layout named {name!r}")
    return layout


__all__ = [
    "IMI_JSONLD",
    "LAYOUT_DIR",
    "FieldListLayout",
    "csv_layout",
    "field_layout",
    "file_layouts",
    "fixed_width_layout",
    "layout_names",
]

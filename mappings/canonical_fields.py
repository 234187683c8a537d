"""Field lists of the canonical records, read from the contract (api_specs/xsd/jumin.xsd).

The XSD is what vendors validate against, so the mapping engine takes its field names from there
rather than from a second list that could drift: rename an element in the XSD and every spec that
uses the old name stops loading.
"""

from __future__ import annotations

from functools import cache, lru_cache

import xmlschema
from xmlschema.validators import XsdComplexType, XsdElement

import api_specs

#: canonical layout name → complex type in jumin.xsd
CANONICAL_TYPES = {"canonical.jumin": "JuminType", "canonical.ido": "IdoType"}


@lru_cache(maxsize=1)
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(api_specs.path("xsd", "jumin.xsd")))


def _children(complex_type: object) -> list[XsdElement]:
    """Element declarations of a complex type's content model (simple content has none)."""
    if not isinstance(complex_type, XsdComplexType) or not complex_type.has_complex_content():
        return []
    content = complex_type.content
    return [child for child in content.iter_elements() if isinstance(child, XsdElement)]  # type: ignore[union-attr]


def _walk(element: XsdElement, prefix: str, fields: set[str]) -> None:
    path = f"{prefix}.{element.local_name}" if prefix else str(element.local_name)
    fields.add(path)
    for child in _children(element.type):
        _walk(child, path, fields)


@cache
def canonical_fields(layout: str) -> frozenset[str]:
    """Every element path of a canonical layout, groups included (``jusho``, ``jusho.oaza`` …)."""
    type_name = CANONICAL_TYPES[layout]
    fields: set[str] = set()
    for child in _children(_schema().types[type_name]):
        _walk(child, "", fields)
    return frozenset(fields)


def leaf_fields(layout: str) -> frozenset[str]:
    """Only the elements that carry values (no group elements)."""
    fields = canonical_fields(layout)
    return frozenset(f for f in fields if not any(other.startswith(f + ".") for other in fields))


__all__ = ["CANONICAL_TYPES", "canonical_fields", "leaf_fields"]

"""Declarative, versioned mappings between the hub's layouts.

Specs (``specs/*.yaml``) say how each output field is made from source fields through named
transforms; layouts (``layouts/*.yaml``) describe legacy CSV and fixed-width files; the canonical
layouts come from the XSD contract and the IMI target from vocab's IMI core vocabulary. Loading
checks everything a spec names, so a bad spec stops the hub with file and line.

    spec = mappings.registry().latest("jumin-imi")
    mapped = spec.apply(record)      # Mapped: output, mapping_id, mapping_version, lineage, errors
    mapped = spec.compiled.apply(record)   # the same, from the spec compiled once into a function

Modules: ``loader`` (spec files), ``spec`` (the engine), ``compiled`` (a spec as one generated
function, for bulk paths), ``registry``, ``transforms`` (named steps),
``layout_catalog`` / ``canonical_fields`` / ``csv_layout`` / ``fixed_width`` / ``imi_target``
(layouts), ``imi`` (異動 → IMI), ``diff`` (field-level comparison), ``errors``.
"""

from mappings import diff, imi
from mappings.diff import FieldChange, compare
from mappings.errors import (
    DecodeIssue,
    FieldError,
    FixedWidthDecodeError,
    MappingError,
    MappingSpecError,
    TransformError,
)
from mappings.loader import load
from mappings.registry import SpecRegistry, registry
from mappings.spec import Spec
from mappings.types import LineageEntry, Mapped

__all__ = [
    "DecodeIssue",
    "FieldChange",
    "FieldError",
    "FixedWidthDecodeError",
    "LineageEntry",
    "Mapped",
    "MappingError",
    "MappingSpecError",
    "SpecRegistry",
    "Spec",
    "TransformError",
    "compare",
    "diff",
    "imi",
    "load",
    "registry",
]

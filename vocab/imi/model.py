"""IMI core vocabulary 2.4.1 as data: classes, their parents, properties, ranges, cardinalities.

``core.json`` beside this module is the vocabulary (CC0, IPA/METI), taken from the IMIV text of
the release (see its ``meta.source``); deprecated terms are left out. Keeping it as data lets the
validator, the JSON-LD context and the mappings read one source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["Cardinality", "Vocabulary", "load_vocabulary"]

RDF_NAMESPACE = "http://imi.go.jp/ns/core/rdf#"
_PREFIXES = ("ic:", RDF_NAMESPACE, "http://imi.go.jp/ns/core/2#")


@dataclass(frozen=True)
class Cardinality:
    """``{0..1}`` or ``{0..n}`` as written in IMIV (minimum is always 0 in the core)."""

    minimum: int
    maximum: int | None

    @classmethod
    def parse(cls, text: str) -> Cardinality:
        low, _, high = text.partition("..")
        return cls(int(low), None if high == "n" else int(high))

    @property
    def many(self) -> bool:
        return self.maximum is None or self.maximum > 1

    def __str__(self) -> str:
        return f"{{{self.minimum}..{'n' if self.maximum is None else self.maximum}}}"


class Vocabulary:
    """Look-ups over the vocabulary data; built once, immutable after construction."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.meta: dict[str, Any] = data["meta"]
        self.datatypes: dict[str, str] = data["datatypes"]
        self._classes: dict[str, dict[str, Any]] = data["classes"]
        self._properties: dict[str, dict[str, Any]] = data["properties"]
        for name, spec in self._classes.items():
            parent = spec["parent"]
            if parent is not None and parent not in self._classes:
                raise ValueError(f"class {name} has unknown parent {parent}")
            for prop in spec["properties"]:
                if prop not in self._properties:
                    raise ValueError(f"class {name} uses property {prop} that has no range")
        for prop, spec in self._properties.items():
            target = spec["range"]
            if target not in self._classes and target not in self.datatypes:
                raise ValueError(f"property {prop} has unknown range {target}")

    @staticmethod
    def local_name(term: str) -> str:
        """``ic:人型`` or the full IRI → ``人型``."""
        for prefix in _PREFIXES:
            if term.startswith(prefix):
                return term[len(prefix) :]
        return term

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self._classes)

    @property
    def property_names(self) -> tuple[str, ...]:
        return tuple(self._properties)

    def is_class(self, name: str) -> bool:
        return self.local_name(name) in self._classes

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The class itself followed by its parents up to 概念型."""
        chain = []
        current: str | None = self.local_name(name)
        while current is not None:
            chain.append(current)
            current = self._classes[current]["parent"]
        return tuple(chain)

    def is_subclass(self, name: str, of: str) -> bool:
        """True when ``name`` equals ``of`` or descends from it."""
        return self.local_name(of) in self.ancestors(name)

    def properties_of(self, name: str) -> dict[str, Cardinality]:
        """Every property a class may carry, inherited ones included; the nearest definition wins."""
        result: dict[str, Cardinality] = {}
        for ancestor in self.ancestors(name):
            for prop, cardinality in self._classes[ancestor]["properties"].items():
                result.setdefault(prop, Cardinality.parse(cardinality))
        return result

    def range_of(self, prop: str) -> str:
        return str(self._properties[self.local_name(prop)]["range"])

    def property_spec(self, prop: str) -> dict[str, Any]:
        return dict(self._properties[self.local_name(prop)])

    def is_datatype(self, range_name: str) -> bool:
        return range_name in self.datatypes


@cache
def load_vocabulary() -> Vocabulary:
    """The IMI core 2.4.1 vocabulary shipped in ``vocab/imi/core.json``."""
    text = (Path(__file__).resolve().parent / "core.json").read_text(encoding="utf-8")
    return Vocabulary(json.loads(text))

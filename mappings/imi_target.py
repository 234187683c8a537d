"""IMI JSON-LD as a mapping target: output paths checked against the core vocabulary.

An IMI spec names its root class (``class: 人型``). Each output path is walked from there: every
segment must be a property of the current class (inherited ones included, from `vocab.imi`), and
the property's range gives the class of the next segment. A spec may narrow a range with
``types`` (``関与.関与者: 人型`` where the vocabulary says 実体型), and only to a subclass. Terms of
the hub's extension context (``imi_context/chipla-ext.jsonld``) are allowed as literal-valued
leaves when the spec lists that context.

The same walk gives every object of the output its ``@type``, so specs never spell them out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from mappings import paths
from mappings.marked_yaml import MarkedDocument
from vocab.imi import CANONICAL_CONTEXT_URL, Vocabulary, load_vocabulary

EXT_CONTEXT_FILE = Path(__file__).resolve().parent / "imi_context" / "chipla-ext.jsonld"
#: the IRI documents use for the hub's extension context; resolved to EXT_CONTEXT_FILE, never fetched
EXT_CONTEXT_URL = "urn:chipla:ns:imi-ext:1"


@cache
def extension_terms() -> frozenset[str]:
    """Terms the hub's extension context defines (``chipla:…``; prefix definitions left out).

    Terms are compact IRIs, so an IMI validator recognises them as extension terms from the
    document alone, without being told the list.
    """
    data = json.loads(EXT_CONTEXT_FILE.read_text(encoding="utf-8"))
    return frozenset(
        term
        for term, value in data["@context"].items()
        if not term.startswith("@") and not isinstance(value, str)
    )


@dataclass(frozen=True)
class ImiTarget:
    """The IMI layout of one spec: root class, range overrides, and the @context to emit."""

    root: str
    context: tuple[str, ...]
    overrides: dict[str, str] = field(default_factory=dict)
    name: str = "imi.jsonld"
    # class_at is pure for a given target (vocabulary and overrides are fixed): remember its answers
    _classes: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def vocabulary(self) -> Vocabulary:
        return load_vocabulary()

    def class_at(self, shape: str) -> str | None:
        """IMI class of the object at an index-free path ("" is the root), or None for a literal."""
        try:
            return self._classes[shape]
        except KeyError:
            found = self._class_at(shape)
            self._classes[shape] = found
            return found

    def _class_at(self, shape: str) -> str | None:
        if shape == "":
            return self.root
        if shape in self.overrides:
            return self.overrides[shape]
        *_, prop = shape.split(".")
        if prop in extension_terms() and EXT_CONTEXT_URL in self.context:
            return None
        target = self.vocabulary.range_of(prop)
        return target if self.vocabulary.is_class(target) else None

    def unknown(self, path: str, produces: str | None = None) -> str | None:
        """Why `path` cannot be written in this spec's output, or None when it can."""
        try:
            segments = paths.parse(path)
        except ValueError as exc:
            return str(exc)
        vocabulary = self.vocabulary
        walked: list[str] = []
        current: str | None = self.root
        for position, (prop, index) in enumerate(segments):
            if current is None:
                return f"{'.'.join(walked)} holds a literal; {prop!r} cannot go inside it"
            last = position == len(segments) - 1
            if prop in extension_terms() and EXT_CONTEXT_URL in self.context:
                if not last:
                    return f"extension term {prop!r} holds a literal; nothing can go inside it"
                return None
            allowed = vocabulary.properties_of(current)
            if prop not in allowed:
                return f"{prop!r} is not a property of {current} in IMI core {vocabulary.meta['version']}"
            if index is not None and not allowed[prop].many:
                return f"{current}.{prop} is {allowed[prop]}; it cannot take an index"
            walked.append(prop)
            current = self.class_at(".".join(walked))
        if produces is not None:
            expected = vocabulary.range_of(segments[-1][0])
            if not vocabulary.is_subclass(produces, expected):
                return f"the rule makes a {produces} but {'.'.join(walked)} takes {expected}"
        return None

    def _typed(self, node: Any, shape: str) -> Any:
        if isinstance(node, list):
            return [self._typed(item, shape) for item in node]
        if not isinstance(node, dict):
            return node
        typed: dict[str, Any] = {}
        cls = self.class_at(shape)
        if cls is not None and "@type" not in node:
            typed["@type"] = cls
        for key, value in node.items():
            typed[key] = (
                value if key.startswith("@") else self._typed(value, f"{shape}.{key}" if shape else key)
            )
        return typed

    def finish(self, output: dict[str, Any]) -> dict[str, Any]:
        """Add @context first and an @type on every object that lacks one."""
        return {"@context": list(self.context), **self._typed(output, "")}


def build_imi_target(doc: MarkedDocument) -> ImiTarget:
    """Read ``class``, ``types`` and ``context`` of an IMI spec, refusing what the vocabulary lacks."""
    vocabulary = load_vocabulary()
    root = doc.data.get("class")
    if not isinstance(root, str) or not vocabulary.is_class(root):
        raise doc.error(f"`class` must name an IMI core class, got {root!r}", "class")
    context = doc.data.get("context")
    if not isinstance(context, list) or not context or context[0] != CANONICAL_CONTEXT_URL:
        raise doc.error(f"`context` is a list starting with {CANONICAL_CONTEXT_URL}", "context")
    for position, entry in enumerate(context[1:], start=1):
        if entry != EXT_CONTEXT_URL:
            raise doc.error(f"unknown context {entry!r}; the hub resolves only its own", "context", position)
    raw_types = doc.data.get("types", {})
    if not isinstance(raw_types, dict):
        raise doc.error("`types` maps output paths to IMI classes", "types")
    overrides: dict[str, str] = {}
    for shape, cls in raw_types.items():
        # narrowings apply in order, so a later path may walk through an earlier one
        problem = ImiTarget(root=root, context=tuple(context), overrides=dict(overrides)).unknown(shape)
        if problem:
            raise doc.error(problem, "types", shape)
        expected = vocabulary.range_of(shape.split(".")[-1])
        if not (isinstance(cls, str) and vocabulary.is_class(cls) and vocabulary.is_subclass(cls, expected)):
            raise doc.error(
                f"{shape} takes {expected}; {cls!r} is not that class or a subclass", "types", shape
            )
        overrides[shape] = cls
    return ImiTarget(root=root, context=tuple(context), overrides=overrides)


__all__ = ["EXT_CONTEXT_FILE", "EXT_CONTEXT_URL", "ImiTarget", "build_imi_target", "extension_terms"]

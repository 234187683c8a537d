"""The local JSON-LD context for IMI core: a pinned copy, never fetched at run time.

Documents name the canonical context URL (``CANONICAL_CONTEXT_URL``); the hub resolves it to
``context.jsonld`` beside this module. The file is generated from ``core.json`` so the two cannot
drift: run ``python -m vocab.imi > vocab/imi/context.jsonld`` after changing the vocabulary
(a test compares them).
Every Japanese term maps to ``http://imi.go.jp/ns/core/rdf#<term>``, with ``@vocab`` set to the same
namespace; date, time, number and IRI properties carry their XSD type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vocab.imi.model import RDF_NAMESPACE, Vocabulary, load_vocabulary

__all__ = ["CANONICAL_CONTEXT_URL", "build_context", "load_context", "render_context"]

CANONICAL_CONTEXT_URL = "https://imi.go.jp/ns/core/context.jsonld"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPED = {
    "xsd:date",
    "xsd:dateTime",
    "xsd:time",
    "xsd:decimal",
    "xsd:double",
    "xsd:integer",
    "xsd:nonNegativeInteger",
    "xsd:anyURI",
}


def build_context(vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """Build the context document from the vocabulary data."""
    vocabulary = vocabulary or load_vocabulary()
    terms: dict[str, Any] = {"@vocab": RDF_NAMESPACE, "ic": RDF_NAMESPACE, "xsd": _XSD}
    for name in vocabulary.class_names:
        terms[name] = RDF_NAMESPACE + name
    for prop in vocabulary.property_names:
        target = vocabulary.range_of(prop)
        if target in _TYPED:
            terms[prop] = {"@id": RDF_NAMESPACE + prop, "@type": _XSD + target.removeprefix("xsd:")}
        else:
            terms[prop] = {"@id": RDF_NAMESPACE + prop}
    return {"@context": terms}


def load_context() -> dict[str, Any]:
    """The shipped context document (what ``CANONICAL_CONTEXT_URL`` resolves to inside the hub)."""
    text = (Path(__file__).resolve().parent / "context.jsonld").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def render_context() -> str:
    """The context file's exact text (stable key order, UTF-8 Japanese, trailing newline)."""
    return json.dumps(build_context(), ensure_ascii=False, indent=1) + "\n"

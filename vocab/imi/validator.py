"""Validate IMI JSON-LD documents against the core vocabulary 2.4.1, offline.

Checks: the ``@context`` names the canonical IMI context (alone or first among hub extension
contexts; nothing is fetched); every ``@type`` is a known class; every property is defined for
its class or an ancestor (種別, メタデータ, ID, 表記, 参照, 画像, 説明, 記述 are inherited); nested
objects are of the property's range class or a subclass; literals fit their datatype
(標準型日付 is an xsd:date, 郵便番号 is 7 digits); ``{0..1}`` properties are not given lists.

Issues carry a severity, a JSON path (``$.住所[0].郵便番号``) and a message. ``is_valid`` is true
when no issue is an ERROR. Terms of hub extension contexts are reported as INFO and not checked:
inline extension contexts declare them, ``extension_terms`` names them, and compact IRIs
(``ext:…``) are taken as extension terms when an extension context is present.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vocab.imi.context import CANONICAL_CONTEXT_URL
from vocab.imi.literals import check_literal, is_lenient_mismatch
from vocab.imi.model import Cardinality, Vocabulary, load_vocabulary

__all__ = ["Issue", "Severity", "is_valid", "validate"]


class Severity(enum.StrEnum):
    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"


@dataclass(frozen=True)
class Issue:
    severity: Severity
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} {self.path}: {self.message}"


@dataclass
class _Run:
    vocabulary: Vocabulary
    extension_terms: set[str]
    has_extension_context: bool = False
    issues: list[Issue] = field(default_factory=list)

    def add(self, severity: Severity, path: str, message: str) -> None:
        self.issues.append(Issue(severity, path, message))


def _check_context(run: _Run, context: Any) -> None:
    path = "$.@context"
    if context is None:
        run.add(Severity.ERROR, "$", f"missing @context (expected {CANONICAL_CONTEXT_URL})")
        return
    items = context if isinstance(context, list) else [context]
    if CANONICAL_CONTEXT_URL not in items:
        legacy = CANONICAL_CONTEXT_URL.replace("https://", "http://")
        if legacy in items:
            run.add(Severity.WARNING, path, f"use {CANONICAL_CONTEXT_URL} (https)")
        else:
            run.add(Severity.ERROR, path, f"@context must name {CANONICAL_CONTEXT_URL}")
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]" if isinstance(context, list) else path
        if item in (CANONICAL_CONTEXT_URL, CANONICAL_CONTEXT_URL.replace("https://", "http://")):
            continue
        if isinstance(item, str):
            run.has_extension_context = True
            run.add(Severity.INFO, item_path, f"extension context {item} is not fetched; terms unchecked")
        elif isinstance(item, dict):
            run.has_extension_context = True
            run.extension_terms.update(key for key in item if not key.startswith("@"))
        else:
            run.add(Severity.ERROR, item_path, f"a context must be a URL or an object, got {item!r}")


def _class_of(run: _Run, node: dict[str, Any], path: str, expected: str | None) -> str | None:
    declared = node.get("@type")
    if declared is None:
        if expected is None:
            run.add(Severity.ERROR, path, "missing @type")
            return None
        run.add(Severity.INFO, path, f"no @type; checked as {expected}")
        return expected
    if isinstance(declared, list):
        if len(declared) != 1:
            run.add(Severity.WARNING, path, f"several types {declared}; checked against the first")
        declared = declared[0] if declared else None
    if not isinstance(declared, str):
        run.add(Severity.ERROR, f"{path}.@type", f"@type must be a class name, got {declared!r}")
        return None
    name = run.vocabulary.local_name(declared)
    if not run.vocabulary.is_class(name):
        run.add(Severity.ERROR, f"{path}.@type", f"unknown class {declared!r}")
        return None
    if expected is not None and not run.vocabulary.is_subclass(name, expected):
        run.add(Severity.ERROR, f"{path}.@type", f"{name} is not {expected} or a subclass of it")
        return None
    return name


def _check_value(run: _Run, prop: str, value: Any, path: str) -> None:
    vocabulary = run.vocabulary
    target = vocabulary.range_of(prop)
    spec = vocabulary.property_spec(prop)
    if value is None:
        run.add(Severity.WARNING, path, "null value")
        return
    if vocabulary.is_datatype(target):
        literal = value
        if isinstance(value, dict):
            if "@value" not in value:
                run.add(Severity.ERROR, path, f"an object where a literal ({target}) is expected")
                return
            literal = value["@value"]
        message = check_literal(target, literal, spec.get("pattern"))
        if message is not None:
            severity = Severity.WARNING if is_lenient_mismatch(target, literal) else Severity.ERROR
            run.add(severity, path, f"{prop}: {message}")
        return
    if not isinstance(value, dict):
        is_iri = isinstance(value, str) and ":" in value and " " not in value
        if spec.get("iri_allowed") and is_iri:
            return
        run.add(Severity.ERROR, path, f"{prop}: a literal {value!r} where an object of {target} is expected")
        return
    if "@value" in value:
        run.add(Severity.ERROR, path, f"{prop}: a literal where an object of {target} is expected")
        return
    if set(value) == {"@id"}:
        run.add(Severity.INFO, path, f"node reference {value['@id']!r} is not checked")
        return
    _check_node(run, value, path, target)


def _check_property(run: _Run, prop: str, cardinality: Cardinality, value: Any, path: str) -> None:
    if isinstance(value, list):
        if not cardinality.many:
            run.add(Severity.ERROR, path, f"{prop} takes at most one value {cardinality}, got a list")
        for index, item in enumerate(value):
            _check_value(run, prop, item, f"{path}[{index}]")
        return
    _check_value(run, prop, value, path)


def _check_node(run: _Run, node: dict[str, Any], path: str, expected: str | None) -> None:
    name = _class_of(run, node, path, expected)
    if name is None:
        return
    allowed = run.vocabulary.properties_of(name)
    for key, value in node.items():
        key_path = f"{path}.{key}"
        if key in ("@type", "@context"):
            continue
        if key == "@id":
            if not isinstance(value, str):
                run.add(Severity.ERROR, key_path, "@id must be a string")
            continue
        if key.startswith("@"):
            run.add(Severity.WARNING, key_path, f"unexpected keyword {key} in a node object")
            continue
        prop = run.vocabulary.local_name(key)
        if prop in allowed:
            _check_property(run, prop, allowed[prop], value, key_path)
        elif key in run.extension_terms or (":" in key and run.has_extension_context and prop == key):
            run.add(Severity.INFO, key_path, f"extension term {key} is not checked")
        elif prop in run.vocabulary.property_names:
            run.add(Severity.ERROR, key_path, f"property {prop} is not defined for {name}")
        else:
            run.add(Severity.ERROR, key_path, f"unknown property {key!r} for {name}")


def validate(doc: Any, extension_terms: Iterable[str] = ()) -> list[Issue]:
    """All issues found in an IMI JSON-LD document (a node object, or an object with ``@graph``)."""
    run = _Run(load_vocabulary(), set(extension_terms))
    if not isinstance(doc, dict):
        run.add(Severity.ERROR, "$", f"a JSON-LD document must be an object, got {type(doc).__name__}")
        return run.issues
    _check_context(run, doc.get("@context"))
    graph = doc.get("@graph")
    if graph is None:
        _check_node(run, doc, "$", None)
    elif not isinstance(graph, list):
        run.add(Severity.ERROR, "$.@graph", "@graph must be a list")
    else:
        for index, node in enumerate(graph):
            if isinstance(node, dict):
                _check_node(run, node, f"$.@graph[{index}]", None)
            else:
                run.add(Severity.ERROR, f"$.@graph[{index}]", "a graph member must be an object")
    return run.issues


def is_valid(doc: Any, extension_terms: Iterable[str] = ()) -> bool:
    """True when ``validate`` reports no ERROR (warnings and notes are allowed)."""
    return not any(issue.severity is Severity.ERROR for issue in validate(doc, extension_terms))

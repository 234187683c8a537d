"""Schema-guided conversion between contract XML and the plain dicts the core works with.

The XSD decides everything: which children repeat (lists), their order on output, and the namespace
of each element (types from common.xsd put their children in the common namespace).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import xmlschema
from lxml import etree

import api_specs
from broker.reasons import scrub

NS_COMMON = "urn:chipla:ns:common:1"
NS_JUMIN = "urn:chipla:ns:jumin:1"


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(api_specs.path("xsd", "jumin.xsd")))


@cache
def lxml_schema() -> etree.XMLSchema:
    """The same schema compiled by libxml2, for fast validation on the hot path."""
    doc = etree.parse(str(api_specs.path("xsd", "jumin.xsd")))
    return etree.XMLSchema(doc)


@cache
def lxml_common_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(api_specs.path("xsd", "common.xsd"))))


@cache
def element_decl(qname: str) -> Any:
    decl = schema().elements.get(qname) or schema().maps.elements.get(qname)
    if decl is None:
        raise KeyError(qname)
    return decl


@cache
def _children(type_key: Any) -> tuple[tuple[str, bool, Any], ...]:
    """(qualified name, repeats, decl) of a complex type's child elements, in schema order."""
    xsd_type = type_key
    out = []
    if xsd_type.has_simple_content() or not hasattr(xsd_type, "content"):
        return ()
    for child in xsd_type.content.iter_elements():
        repeats = child.max_occurs is None or child.max_occurs > 1
        out.append((child.name, repeats, child))
    return tuple(out)


def _local(qname: str) -> str:
    return qname.rsplit("}", 1)[-1]


def to_dict(elem: etree._Element, decl: Any | None = None) -> Any:
    """An element's content as nested dicts (local names as keys) and strings."""
    if decl is None:
        decl = element_decl(elem.tag)
    kids = _children(decl.type) if decl.type.is_complex() else ()
    if not kids:
        return (elem.text or "").strip() if decl.type.is_complex() else (elem.text or "")
    by_name = {name: (repeats, d) for name, repeats, d in kids}
    out: dict[str, Any] = {}
    for child in elem:
        if not isinstance(child.tag, str):
            continue
        repeats, d = by_name.get(child.tag, (False, None))
        if d is None:
            continue
        value = to_dict(child, d)
        key = _local(child.tag)
        if repeats:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def check(qname: str, data: Any, error: type[Exception]) -> None:
    """Validate a dict against the XSD by building its XML: the SOAP, REST and file doors then admit
    exactly the same messages. Raises ``error`` with the schema's reason."""
    schema = lxml_common_schema() if qname.startswith(f"{{{NS_COMMON}}}") else lxml_schema()
    try:
        xml = to_xml(qname, data)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        # ValueError: text that XML cannot carry (control characters, lone surrogates)
        raise error(f"スキーマ検証エラー: {exc}") from exc
    if not schema.validate(xml):
        last = schema.error_log.last_error
        raise error(scrub(f"スキーマ検証エラー: {last.path if last else ''}: {last.message if last else ''}"))


def warm_up() -> None:
    """Compile the schemas now: a broken contract stops the hub at start, not at the first request."""
    schema()
    lxml_schema()
    lxml_common_schema()
    for name in ("IdoTsuchiRequest", "IdoTsuchiResponse", "JuminShokaiResponse", "IdoIchiranShokaiResponse",
                 "SetaiShokaiResponse"):
        _children(element_decl(f"{{{NS_JUMIN}}}{name}").type)


def to_xml(qname: str, data: Any) -> etree._Element:
    decl = element_decl(qname)
    return _build(decl, data)


def _build(decl: Any, data: Any) -> etree._Element:
    elem = etree.Element(decl.name, nsmap={"c": NS_COMMON, "j": NS_JUMIN})
    kids = _children(decl.type) if decl.type.is_complex() else ()
    if not kids:
        elem.text = _text(data)
        return elem
    for name, repeats, child_decl in kids:
        key = _local(name)
        if key not in data or data[key] is None:
            continue
        values = data[key] if repeats else [data[key]]
        for value in values:
            elem.append(_build(child_decl, value))
    return elem


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)

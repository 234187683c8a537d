"""An element declaration compiled once into plain plans for reading XML into dicts and back.

Every SOAP message is read (and its answer written) by walking the schema; asking xmlschema's
declaration objects at every element (``is_complex()``, the children of a type, local names) cost
more than the rest of the conversion. A plan holds the same answers as plain tuples and dicts, built
once per declaration, so the hot path touches no xmlschema object. The rules are the schema's:

- an element of simple type reads as its text, as written (whitespace kept);
- an element of complex type without child elements (simple content, or empty) reads as its text
  stripped;
- an element with child elements reads as a dict keyed by the children's local names, a list where
  the schema lets a child repeat; children the schema does not declare here (and comments,
  processing instructions) are passed over; written, the children follow the schema's order;
- a wildcard (``xs:any``, e.g. the signature of a 正本) is neither read nor written here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from lxml import etree

#: (qualified name, repeats, declaration) of a complex type's child elements, in schema order
ChildrenOf = Callable[[Any], tuple[tuple[str, bool, Any], ...]]


class ReadPlan:
    """How to read one declared element: its text (``kids is None``) or its declared children."""

    __slots__ = ("kids", "strip")

    def __init__(self) -> None:
        self.kids: dict[str, tuple[str, bool, ReadPlan]] | None = None
        self.strip = False


class WritePlan:
    """How to write one declared element: its tag, then its text (``kids is None``) or its children
    (dict key, repeats, plan) in schema order."""

    __slots__ = ("kids", "tag")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.kids: tuple[tuple[str, bool, WritePlan], ...] | None = None


def compile_read(decl: Any, children_of: ChildrenOf, memo: dict[Any, ReadPlan]) -> ReadPlan:
    """The read plan of ``decl``; ``memo`` (by declaration) makes each plan once and lets a recursive
    type refer to its own plan."""
    plan = memo.get(decl)
    if plan is not None:
        return plan
    plan = memo[decl] = ReadPlan()
    complex_type = decl.type.is_complex()
    kids = children_of(decl.type) if complex_type else ()
    if not kids:
        plan.strip = complex_type
        return plan
    by_tag: dict[str, tuple[str, bool, ReadPlan]] = {}
    for name, repeats, child in kids:  # a name declared twice: the last declaration decides, as before
        if name is None:  # a wildcard
            continue
        by_tag[name] = (_local(name), repeats, compile_read(child, children_of, memo))
    plan.kids = by_tag
    return plan


def compile_write(decl: Any, children_of: ChildrenOf, memo: dict[Any, WritePlan]) -> WritePlan:
    plan = memo.get(decl)
    if plan is not None:
        return plan
    plan = memo[decl] = WritePlan(decl.name)
    kids = children_of(decl.type) if decl.type.is_complex() else ()
    if kids:
        plan.kids = tuple((_local(name), repeats, compile_write(child, children_of, memo))
                          for name, repeats, child in kids if name is not None)
    return plan


def read(elem: etree._Element, plan: ReadPlan) -> Any:
    """An element's content as nested dicts (local names as keys) and strings."""
    kids = plan.kids
    if kids is None:
        text = elem.text
        if text is None:
            return ""
        return text.strip() if plan.strip else text
    out: dict[str, Any] = {}
    for child in elem:
        entry = kids.get(child.tag)  # a comment's or PI's tag is a function: never a declared name
        if entry is None:
            continue
        key, repeats, sub = entry
        if sub.kids is None:  # a leaf, read here: most elements are leaves
            text = child.text
            value: Any = "" if text is None else text.strip() if sub.strip else text
        else:
            value = read(child, sub)
        if repeats:
            values = out.get(key)
            if values is None:
                out[key] = [value]
            else:
                values.append(value)
        else:
            out[key] = value
    return out


def write(plan: WritePlan, data: Any, nsmap: dict[str, str]) -> etree._Element:
    """The element of ``data``; missing or ``None`` children are left out. Wrong shapes raise
    ``TypeError``, ``KeyError`` or ``AttributeError``; text XML cannot carry raises ``ValueError``."""
    elem = etree.Element(plan.tag, nsmap=nsmap)
    _fill(elem, plan, data)
    return elem


def _fill(elem: etree._Element, plan: WritePlan, data: Any) -> None:
    kids = plan.kids
    if kids is None:
        elem.text = text_of(data)
        return
    sub_element = etree.SubElement
    for key, repeats, sub in kids:
        if key not in data or data[key] is None:
            continue
        values = data[key] if repeats else (data[key],)
        for value in values:
            _fill(sub_element(elem, sub.tag), sub, value)


def text_of(value: Any) -> str:
    if type(value) is str:  # the common case first; a str subclass (an enum) goes the long way
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):  # xs:base64Binary (a document carried byte-exact)
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)


def _local(qname: str) -> str:
    return qname.rsplit("}", 1)[-1]

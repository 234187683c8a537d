"""Schema-guided conversion between contract XML and the plain dicts the core works with.

The XSD decides everything: which children repeat (lists), their order on output, and the namespace
of each element (types from common.xsd put their children in the common namespace). One
:class:`XsdCodec` per contract schema (a service's XSD, which imports common.xsd), built once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import xmlschema
from lxml import etree

import api_specs
from adapters.wire import plan
from broker.errors import HeaderInvalid
from broker.reasons import scrub
from broker.service import Contract

NS_COMMON = "urn:chipla:ns:common:1"
COMMON_XSD = "common.xsd"
PF_HEADER = f"{{{NS_COMMON}}}PfHeader"


class XsdCodec:
    """Validation and dict ↔ XML for the messages of one schema (and the common types it imports)."""

    def __init__(self, xsd: str, namespace: str, prefix: str) -> None:
        self.namespace = namespace
        self.nsmap = {"c": NS_COMMON} if namespace == NS_COMMON else {"c": NS_COMMON, prefix: namespace}
        self.schema = xmlschema.XMLSchema(str(api_specs.path("xsd", xsd)))
        #: the same schema compiled by libxml2, for fast validation on the hot path
        self.lxml_schema = etree.XMLSchema(etree.parse(str(api_specs.path("xsd", xsd))))
        self._decls: dict[str, Any] = {}
        #: compiled once per element (plan.py): the hot path reads and writes without xmlschema
        self._readers: dict[str, plan.ReadPlan] = {}
        self._writers: dict[str, plan.WritePlan] = {}

    def element_decl(self, qname: str) -> Any:
        decl = self._decls.get(qname)
        if decl is None:
            decl = self.schema.elements.get(qname) or self.schema.maps.elements.get(qname)
            if decl is None:
                raise KeyError(qname)
            self._decls[qname] = decl
        return decl

    def to_dict(self, elem: etree._Element) -> Any:
        """An element's content as nested dicts (local names as keys) and strings (rules: plan.py)."""
        reader = self._readers.get(elem.tag)
        if reader is None:
            reader = self._readers[elem.tag] = plan.compile_read(self.element_decl(elem.tag), _children, {})
        return plan.read(elem, reader)

    def to_xml(self, qname: str, data: Any) -> etree._Element:
        writer = self._writers.get(qname)
        if writer is None:
            writer = self._writers[qname] = plan.compile_write(self.element_decl(qname), _children, {})
        return plan.write(writer, data, self.nsmap)

    def validate(self, elem: etree._Element, error: type[Exception], what: str = "スキーマ検証エラー") -> None:
        """Raise ``error`` with the schema's first complaint about ``elem``."""
        schema = self.lxml_schema
        if not schema.validate(elem):
            raise error(f"{what}: {first_error(schema)}")

    def check(self, qname: str, data: Any, error: type[Exception]) -> None:
        """Validate a dict against the XSD by building its XML: the SOAP, REST and file doors then admit
        exactly the same messages. Raises ``error`` with the schema's reason."""
        try:
            xml = self.to_xml(qname, data)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # ValueError: text that XML cannot carry (control characters, lone surrogates)
            raise error(f"スキーマ検証エラー: {exc}") from exc
        if not self.lxml_schema.validate(xml):
            last = self.lxml_schema.error_log.last_error
            raise error(scrub(f"スキーマ検証エラー: {last.path if last else ''}: {last.message if last else ''}"))

    def warm_up(self, qnames: list[str]) -> None:
        """Resolve the elements now: a broken contract stops the hub at start, not at the first request."""
        for qname in qnames:
            self._readers[qname] = plan.compile_read(self.element_decl(qname), _children, {})
            self._writers[qname] = plan.compile_write(self.element_decl(qname), _children, {})


@cache
def common() -> XsdCodec:
    """The common header (PfHeader) and result types of common.xsd."""
    return XsdCodec(COMMON_XSD, NS_COMMON, "c")


@cache
def for_contract(contract: Contract) -> XsdCodec:
    """The codec of a service's contract, built once per process."""
    if contract.xsd is None:
        raise ValueError(f"the contract {contract.namespace} has no XSD; no door can take its messages")
    return XsdCodec(contract.xsd, contract.namespace, contract.prefix)


def check_header(meta: dict[str, Any]) -> None:
    """A header in dict form (REST ``meta``, a file record's header) obeys the same XSD as the SOAP
    PfHeader block."""
    common().check(PF_HEADER, meta, HeaderInvalid)


def first_error(schema: etree.XMLSchema) -> str:
    err = schema.error_log.last_error
    if err is None:
        return "unknown"
    where = err.path or f"line {err.line}"
    return scrub(f"{where}: {err.message}")


def schema_children(xsd_type: Any) -> tuple[tuple[str, bool, Any], ...]:
    """(qualified name, repeats, decl) of a complex type's child elements, in schema order."""
    return _children(xsd_type)


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

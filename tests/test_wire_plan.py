"""The compiled read/write plans (adapters/wire/plan.py) say exactly what a walk of the schema says.

The oracle below walks xmlschema's declarations at every element, the way the codec did before the
plans: for every global element of every contract (common.xsd and each service's XSD), generated
dicts are written and read by both, with comments, processing instructions and undeclared elements
mixed in, and with values of the wrong shape; real messages of the services are read by both.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, unescape

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.soap import envelope, xmlsafe
from adapters.wire import codec, plan
from broker.services.jumin import JuminService
from broker.services.zei import ZeiService
from simulators.handmade import raw_soap
from simulators.samples import SampleTown, header
from tests.zei_samples import tsuchi

CODECS = {"common": codec.common(), "jumin": codec.for_contract(JuminService.contract),
          "zei": codec.for_contract(ZeiService.contract)}
ELEMENTS = [(name, qname) for name, c in CODECS.items() for qname in sorted(c.schema.elements)]


# -- the oracle: the schema walked at every element --------------------------------------------

def oracle_to_dict(decl: Any, elem: etree._Element) -> Any:
    kids = codec.schema_children(decl.type) if decl.type.is_complex() else ()
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
        value = oracle_to_dict(d, child)
        key = etree.QName(child).localname
        if repeats:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def oracle_to_xml(decl: Any, data: Any, nsmap: dict[str, str]) -> etree._Element:
    elem = etree.Element(decl.name, nsmap=nsmap)
    kids = codec.schema_children(decl.type) if decl.type.is_complex() else ()
    if not kids:
        elem.text = _oracle_text(data)
        return elem
    for name, repeats, child_decl in kids:
        if name is None:  # a wildcard: the walk could not write one (it failed); the plan leaves it out
            continue
        key = name.rsplit("}", 1)[-1]
        if key not in data or data[key] is None:
            continue
        for value in (data[key] if repeats else [data[key]]):
            elem.append(oracle_to_xml(child_decl, value, nsmap))
    return elem


def _oracle_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)


# -- generated data shaped by the schema --------------------------------------------------------

_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from(" \t\n")
_TEXT = st.text(_CHARS, max_size=6)
_ODD = st.one_of(st.integers(), st.booleans(), st.dates(), st.binary(max_size=4), st.none(),
                 st.lists(st.text(max_size=2), max_size=2), st.text(max_size=3))


def shaped(decl: Any, depth: int = 0, odd: bool = False) -> st.SearchStrategy[Any]:
    """Dicts the schema describes (``odd``: any node may hold a value of another shape instead)."""
    kids = codec.schema_children(decl.type) if decl.type.is_complex() else ()
    if not kids or depth > 6:
        leaf = _TEXT.map(str.strip) if decl.type.is_complex() else _TEXT
        return (leaf | _ODD) if odd else leaf
    fields = {}
    for name, repeats, child in kids:
        if name is None:  # a wildcard
            continue
        value = shaped(child, depth + 1, odd)
        fields[name.rsplit("}", 1)[-1]] = st.lists(value, min_size=1, max_size=3) if repeats else value
    node = st.fixed_dictionaries({}, optional=fields)
    return (node | _ODD) if odd else node


def _unique_names(decl: Any, seen: frozenset[int] = frozenset()) -> bool:
    """No element declares two children of one name (then a read gives back exactly what was written)."""
    kids = codec.schema_children(decl.type) if decl.type.is_complex() else ()
    names = [n for n, _, _ in kids if n is not None]
    if len(names) != len(set(names)):
        return False
    return all(_unique_names(d, seen | {id(decl.type)}) for n, _, d in kids if n and id(d.type) not in seen)


def _noisy(elem: etree._Element) -> etree._Element:
    """The same element with a comment, a processing instruction and an undeclared element inside
    every element that has children, and a leaf's text padded with white space and a comment after it."""
    copy = etree.fromstring(etree.tostring(elem))
    for node in list(copy.iter()):
        if len(node):
            node.insert(0, etree.Comment("note"))
            node.append(etree.ProcessingInstruction("pi", "x"))
            etree.SubElement(node, "{urn:example:other}extra").text = "not declared"
            etree.SubElement(node, f"{{{codec.NS_COMMON}}}messageId").text = "declared elsewhere"
        elif isinstance(node.tag, str):
            node.text = f" \n{node.text or ''}\t "
            node.append(etree.Comment("trail"))
    return copy


@pytest.mark.parametrize(("schema", "qname"), ELEMENTS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_writing_and_reading_agree_with_the_schema_walk(schema: str, qname: str, data: st.DataObject) -> None:
    c = CODECS[schema]
    decl = c.element_decl(qname)
    value = data.draw(shaped(decl))
    written = etree.tostring(c.to_xml(qname, value))
    assert written == etree.tostring(oracle_to_xml(decl, value, c.nsmap))
    for version in (envelope.SOAP11, envelope.SOAP12):  # the answer's envelope, as a tree gave it
        tree = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
        etree.SubElement(tree, f"{{{version}}}Body").append(c.to_xml(qname, value))
        assert envelope.envelope(version, c.to_xml(qname, value)) == etree.tostring(
            tree, xml_declaration=True, encoding="utf-8")
    parsed = etree.fromstring(written)
    read = c.to_dict(parsed)
    assert read == oracle_to_dict(decl, parsed)
    if _unique_names(decl):
        assert read == value  # the round trip is exact
    noisy = _noisy(parsed)
    assert c.to_dict(noisy) == oracle_to_dict(decl, noisy)


@pytest.mark.parametrize(("schema", "qname"), ELEMENTS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_values_of_the_wrong_shape_fail_or_pass_as_before(schema: str, qname: str, data: st.DataObject) -> None:
    c = CODECS[schema]
    decl = c.element_decl(qname)
    value = data.draw(shaped(decl, odd=True))
    expected: Any
    try:
        expected = etree.tostring(oracle_to_xml(decl, value, c.nsmap))
    except Exception as exc:  # noqa: BLE001 - the class of whatever the walk raised is the expectation
        expected = type(exc)
    try:
        got: Any = etree.tostring(c.to_xml(qname, value))
    except Exception as exc:  # noqa: BLE001
        got = type(exc)
    assert got == expected


def _real_messages() -> list[bytes]:
    town = SampleTown(seed=7)
    jumin = [raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": ido}, "juki", "pw")
             for ido in [town.tennyu() for _ in range(3)] + [town.next_ido() for _ in range(20)]]
    zei = [raw_soap({**header("zeimu"), "service": "zei", "operation": "ZeigakuTsuchi"},
                    "{urn:chipla:ns:zei:1}ZeigakuTsuchiRequest", {"tsuchi": tsuchi(amounts=amounts)}, "zeimu", "pw",
                    contract=ZeiService.contract)
           for amounts in [(1000,), (123456, 98700), (5, 6, 7, 8)]]
    return jumin + zei


@pytest.mark.parametrize("raw", _real_messages())
def test_real_messages_read_as_the_schema_walk_reads_them(raw: bytes) -> None:
    req = envelope.split(xmlsafe.parse(raw))
    assert req.header_block is not None
    common = CODECS["common"]
    assert common.to_dict(req.header_block) == oracle_to_dict(common.element_decl(codec.PF_HEADER), req.header_block)
    c = CODECS["zei" if "zei" in req.body_element.tag else "jumin"]
    body = c.to_dict(req.body_element)
    assert body == oracle_to_dict(c.element_decl(req.body_element.tag), req.body_element)
    assert body and all(body.values())


def test_answers_are_written_as_the_schema_walk_writes_them() -> None:
    c = CODECS["jumin"]
    qname = "{urn:chipla:ns:jumin:1}IdoTsuchiResponse"
    fields = {"result": {"code": "0000", "message": "正常終了"}, "receiptId": "r-1",
              "acceptedAt": date(2026, 4, 1), "duplicate": False}
    assert (etree.tostring(c.to_xml(qname, fields))
            == etree.tostring(oracle_to_xml(c.element_decl(qname), fields, c.nsmap)))


_SMALL_XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t"
    elementFormDefault="qualified">
  <xs:complexType name="Amount"><xs:simpleContent><xs:extension base="xs:string">
    <xs:attribute name="unit" type="xs:string"/></xs:extension></xs:simpleContent></xs:complexType>
  <xs:complexType name="Node"><xs:sequence>
    <xs:element name="label" type="xs:string"/>
    <xs:element name="amount" type="t:Amount" minOccurs="0"/>
    <xs:element name="flag" minOccurs="0"><xs:complexType/></xs:element>
    <xs:element name="node" type="t:Node" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType>
  <xs:element name="root" type="t:Node"/>
</xs:schema>"""


@settings(max_examples=60, deadline=None)
@given(label=_TEXT, amount=_TEXT, depth=st.integers(0, 3))
def test_text_is_kept_in_simple_types_and_stripped_in_complex_ones(label: str, amount: str, depth: int) -> None:
    """Contracts have no complex type without child elements today; this schema has both kinds, and a
    recursive type."""
    decl = xmlschema.XMLSchema(_SMALL_XSD).elements["root"]
    label, amount = escape(label), escape(amount)
    xml = "".join(f"<t:node><t:label>{label}</t:label>" for _ in range(depth)) + "</t:node>" * depth
    root = etree.fromstring(
        f'<t:root xmlns:t="urn:t"><t:label> {label}\n</t:label><t:amount unit="円">\t{amount} </t:amount>'
        f"<t:flag>  </t:flag>{xml}</t:root>".encode())
    read = plan.read(root, plan.compile_read(decl, codec.schema_children, {}))
    assert read == oracle_to_dict(decl, root)
    assert read["amount"] == unescape(amount).strip() and read["label"] == f" {unescape(label)}\n"

"""The 個人住民税 contract files: both WSDLs load in zeep as they are, bind SOAP 1.1 and 1.2, and the
XSD admits a well-formed notice and refuses malformed ones."""

from __future__ import annotations

import copy
from typing import Any
from xml.etree import ElementTree

import pytest
import xmlschema
import zeep

import api_specs
from tests.zei_samples import tsuchi

NS = "urn:chipla:ns:zei:1"


@pytest.mark.parametrize(("wsdl", "operations"), [
    ("zei.wsdl", {"ZeigakuTsuchi", "TsuchiIchiranShokai", "SeihonShutoku"}),
    ("zei_tokucho.wsdl", {"SeihonTsuchi"}),
])
def test_wsdl_loads_unmodified_with_both_soap_versions(wsdl: str, operations: set[str]) -> None:
    client = zeep.Client(str(api_specs.path("wsdl", wsdl)))
    ports = [p for s in client.wsdl.services.values() for p in s.ports.values()]
    versions = {type(p.binding).__name__ for p in ports}
    assert versions == {"Soap11Binding", "Soap12Binding"}
    for port in ports:
        assert set(port.binding._operations) == operations
        actions = {op.soapaction for op in port.binding._operations.values()}
        assert actions == {f"urn:chipla:zei:{name}" for name in operations}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(api_specs.path("xsd", "zei.xsd")))


def _valid(schema: xmlschema.XMLSchema, notice: dict[str, Any]) -> bool:
    try:
        xml = schema.encode({"tsuchi": notice}, path=f"{{{NS}}}ZeigakuTsuchiRequest", namespaces={"": NS},
                            converter=xmlschema.UnorderedConverter)
    except xmlschema.XMLSchemaValidationError:
        return False
    assert isinstance(xml, ElementTree.Element), "strict encoding of one path gives one element"
    return bool(schema.is_valid(xml))


def test_a_notice_is_admitted(schema: xmlschema.XMLSchema) -> None:
    assert _valid(schema, tsuchi())


@pytest.mark.parametrize("spoil", [
    lambda t: t["nozeiGimusha"][0]["getsugaku"].append({"tsuki": 6, "gaku": 1}),  # 13 months
    lambda t: t["nozeiGimusha"][0]["getsugaku"].pop(),  # 11 months
    lambda t: t["nozeiGimusha"][0].update(nenzeigaku=-1),
    lambda t: t["nozeiGimusha"][0].update(kojinBango="12345"),
    lambda t: t["tokuchoGimusha"].update(shiteiNo="A-1"),
    lambda t: t.update(tsuchiKubun="3"),
    lambda t: t.update(nozeiGimusha=[]),
    lambda t: t.update(nendo=1999),
])
def test_malformed_notices_are_refused(schema: xmlschema.XMLSchema, spoil: Any) -> None:
    notice = copy.deepcopy(tsuchi())
    spoil(notice)
    assert not _valid(schema, notice)

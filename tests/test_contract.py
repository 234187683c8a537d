"""The documents in api_specs/ and the code agree: every operation is implemented, every code
the hub can answer with is in the result-code table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from lxml import etree

import api_specs
from adapters.inbound.rest.services import resolver
from broker.result_codes import table
from chipla.services import catalog

SERVICES = catalog()

ROOT = Path(__file__).resolve().parents[1]


def test_every_openapi_operation_resolves_to_a_handler() -> None:
    spec = api_specs.openapi_document()
    resolve = resolver(SERVICES).function_resolver
    seen = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            assert callable(resolve(op["operationId"])), f"{method} {path}"
            seen += 1
    assert seen > 10


@pytest.mark.parametrize("service", [s.id for s in SERVICES if s.contract.wsdl])
def test_every_wsdl_operation_is_declared_by_its_service_and_nothing_more(service: str) -> None:
    declared_by_service = SERVICES[service]
    assert declared_by_service.contract.wsdl
    wsdl = etree.parse(str(api_specs.path("wsdl", declared_by_service.contract.wsdl)))
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/"}
    declared = {op.get("name") for op in wsdl.findall(".//w:portType/w:operation", ns)}
    assert declared == set(declared_by_service.operations)


@pytest.mark.parametrize("service", [s.id for s in SERVICES if s.contract.openapi])
def test_every_service_operation_has_its_rest_twin(service: str) -> None:
    declared = SERVICES[service]
    assert declared.contract.openapi
    fragment = yaml.safe_load(api_specs.path("openapi", declared.contract.openapi).read_text(encoding="utf-8"))
    ids = {op["operationId"] for item in fragment["paths"].values() for m, op in item.items() if m != "parameters"}
    # every declared operation has its twin; other operationIds are functions of the service's REST door
    assert {i for i in ids if i.startswith(f"{service}.")} == {f"{service}.{name}" for name in declared.operations}
    assert all(path.startswith(f"/{service}/") for path in fragment["paths"])


def test_a_path_claimed_twice_stops_the_merge() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        api_specs.openapi_document(["jumin.yaml", "jumin.yaml"])


def test_every_result_code_used_in_code_is_in_the_table() -> None:
    names = {rc.name for rc in table().values()}
    used: set[str] = set()
    for py in list((ROOT / "broker").rglob("*.py")) + list((ROOT / "adapters").rglob("*.py")):
        used |= set(re.findall(r'code="([a-z_]+)"', py.read_text(encoding="utf-8")))
    assert used and used <= names, used - names
    for rc in table().values():
        assert re.fullmatch(r"\d{4}", rc.code) and rc.ja
        assert rc.code[0] in "01235" and (rc.faultcode == "Server") == rc.code.startswith("5")


def test_result_codes_are_documented() -> None:
    doc = api_specs.path("README.md").read_text(encoding="utf-8")
    for rc in table().values():
        assert rc.code in doc, f"{rc.code} missing from api_specs/README.md"

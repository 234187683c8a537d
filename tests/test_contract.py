"""The documents in api_specs/ and the code agree: every operation is implemented, every code
the hub can answer with is in the result-code table."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml
from lxml import etree

import api_specs
from adapters.inbound.soap_jumin import OPERATIONS
from broker.result_codes import table

ROOT = Path(__file__).resolve().parents[1]


def test_every_openapi_operation_resolves_to_a_handler() -> None:
    spec = yaml.safe_load(api_specs.path("openapi.yaml").read_text(encoding="utf-8"))
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            module, _, func = op["operationId"].rpartition(".")
            assert callable(getattr(importlib.import_module(module), func)), f"{method} {path}"


def test_every_wsdl_operation_is_served_and_nothing_more() -> None:
    wsdl = etree.parse(str(api_specs.path("wsdl", "jumin.wsdl")))
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/"}
    declared = {op.get("name") for op in wsdl.findall(".//w:portType/w:operation", ns)}
    assert declared == set(OPERATIONS.values())


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

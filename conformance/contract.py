"""The published contract as the kit reads it: namespaces, compiled XSDs, result codes, OpenAPI schemas.

Everything is read from ``api_specs`` so that the kit judges a product against exactly the documents a
vendor receives. Loading is cached: a run validates hundreds of messages against the same schemas.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema
import yaml
from lxml import etree

import api_specs

NS_COMMON = "urn:chipla:ns:common:1"
NS_JUMIN = "urn:chipla:ns:jumin:1"
NS_ZEI = "urn:chipla:ns:zei:1"
NS_WSDL_JUMIN = "urn:chipla:wsdl:jumin:1"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
)
SOAP_ACTION_PREFIX = "urn:chipla:jumin:"
OPERATIONS = ("IdoTsuchi", "JuminShokai", "IdoIchiranShokai", "SetaiShokai")
REQUIRED_HEADER_FIELDS = ("messageId", "sentAt", "lgCode", "senderSystemId", "service", "operation",
                          "specVersion")
HEADER_ORDER = ("messageId", "correlationId", "sentAt", "lgCode", "senderSystemId", "receiverSystemId",
                "service", "operation", "specVersion", "operatorId", "purposeCode", "subjectKey")
MAX_MESSAGE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ResultCode:
    """One row of ``result_codes.yaml``."""

    code: str
    name: str
    ja: str
    http: int
    faultcode: str | None
    retry: bool


@cache
def result_codes() -> dict[str, ResultCode]:
    """The result-code table keyed by code."""
    raw = yaml.safe_load(api_specs.path("result_codes.yaml").read_text(encoding="utf-8"))
    return {str(r["code"]): ResultCode(str(r["code"]), r["name"], r["ja"], int(r["http"]), r["faultcode"],
                                       bool(r["retry"])) for r in raw["codes"]}


def code_for(name: str) -> str:
    """The code of a named row (``code_for("schema_invalid") == "1002"``), so features read by meaning."""
    for row in result_codes().values():
        if row.name == name:
            return row.code
    raise KeyError(name)


@cache
def jumin_schema() -> etree.XMLSchema:
    """jumin.xsd (which imports common.xsd): validates every operation message."""
    return etree.XMLSchema(etree.parse(str(api_specs.path("xsd", "jumin.xsd"))))


@cache
def zei_schema() -> etree.XMLSchema:
    """zei.xsd (which imports common.xsd): the 個人住民税 messages and the signed 正本."""
    return etree.XMLSchema(etree.parse(str(api_specs.path("xsd", "zei.xsd"))))


@cache
def common_schema() -> etree.XMLSchema:
    """common.xsd: validates the PfHeader block and the ResultFault detail."""
    return etree.XMLSchema(etree.parse(str(api_specs.path("xsd", "common.xsd"))))


def schema_errors(element: etree._Element) -> list[str]:
    """XSD errors of one contract element (empty when valid); the namespace picks the schema."""
    ns = etree.QName(element).namespace
    schemas = {NS_JUMIN: jumin_schema, NS_ZEI: zei_schema, NS_COMMON: common_schema}
    if ns not in schemas:
        return [f"{etree.QName(element).text}: 契約の名前空間ではありません"]
    schema = schemas[ns]()
    copy = etree.fromstring(etree.tostring(element))
    if schema.validate(copy):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@cache
def openapi() -> dict[str, Any]:
    return api_specs.openapi_document()


def openapi_validator(schema_name: str) -> jsonschema.Draft7Validator:
    """A JSON Schema validator for ``#/components/schemas/<name>`` of the OpenAPI document.

    OpenAPI 3.0 schemas are close enough to draft 7 for the shapes the contract uses; the whole
    components block is embedded so that ``$ref`` pointers resolve unchanged.
    """
    doc = openapi()
    root = {"components": doc["components"], "$ref": f"#/components/schemas/{schema_name}"}
    return jsonschema.Draft7Validator(root, format_checker=jsonschema.FormatChecker())


def json_errors(schema_name: str, instance: Any) -> list[str]:
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '$'}: {e.message}"
            for e in openapi_validator(schema_name).iter_errors(instance)]


def inline_response_schema(path: str, method: str = "get", status: str = "200") -> dict[str, Any]:
    """The JSON Schema of a response declared inline in the OpenAPI document."""
    op = openapi()["paths"][path][method]
    return op["responses"][status]["content"]["application/json"]["schema"]


def json_errors_inline(path: str, instance: Any, method: str = "get", status: str = "200") -> list[str]:
    root = {"components": openapi()["components"], **inline_response_schema(path, method, status)}
    validator = jsonschema.Draft7Validator(root, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '$'}: {e.message}"
            for e in validator.iter_errors(instance)]

"""The employer's 正本: the notice as the employer receives it, built from the contract's XSD.

The document is ``z:Seihon`` of ``api_specs/xsd/zei.xsd`` (receipt id, issue time, issuer, the
notice); the encoder is xmlschema's, guided by the same schema the doors validate against, so a 正本
is valid by construction and checked once more before it is signed.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import xmlschema
from lxml import etree

import api_specs

NS = "urn:chipla:ns:zei:1"
ROOT = f"{{{NS}}}Seihon"


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(api_specs.path("xsd", "zei.xsd")))


def build(receipt_id: str, issued_at: datetime, issuer: str, tsuchi: dict[str, Any]) -> bytes:
    """The unsigned 正本 as UTF-8 XML bytes."""
    data = {"receiptId": receipt_id, "issuedAt": issued_at.isoformat(), "issuer": issuer, "tsuchi": tsuchi}
    encoded = schema().encode(data, path=ROOT, namespaces={"": NS}, etree_element_class=etree.Element,
                              converter=xmlschema.UnorderedConverter, validation="lax")
    element, errors = encoded if isinstance(encoded, tuple) else (encoded, [])
    if errors:
        raise ValueError(f"正本を作れません: {errors[0].reason}")
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8"))


def read(document: bytes | etree._Element) -> dict[str, Any]:
    """The content of a (signed) 正本 as plain data, for employers and tests."""
    root = document if isinstance(document, etree._Element) else etree.fromstring(document)
    if root.tag != ROOT:
        raise ValueError(f"not a 正本: {root.tag}")
    decoded = schema().to_dict(etree.tostring(root).decode("utf-8"), strip_namespaces=True)
    if not isinstance(decoded, dict):
        raise ValueError("正本を読めません")
    return {k: v for k, v in decoded.items() if k in ("receiptId", "issuedAt", "issuer", "tsuchi")}

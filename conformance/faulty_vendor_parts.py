"""What the faulty vendor's SOAP side (``faulty_vendor``) and REST side (``faulty_vendor_rest``) share:
the refusal they both answer with, the element → JSON shape, and the data the REST side reads."""

from __future__ import annotations

from typing import Any, Protocol

from lxml import etree


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def as_json(el: etree._Element) -> Any:
    """Element → the REST JSON shape (local names as keys, leaves as strings)."""
    kids = [c for c in el if isinstance(c.tag, str)]
    if not kids:
        return el.text or ""
    return {etree.QName(c).localname: as_json(c) for c in kids}


class VendorData(Protocol):
    """The vendor state the REST twin answers from (the SOAP side's ``Vendor`` is one)."""

    api_key: str
    codes: dict[str, dict[str, Any]]

    def current(self, atena: str) -> etree._Element | None: ...

    def members(self, setai: str) -> list[etree._Element]: ...

    def page(self, since: str | None, cursor: str | None,
             size: int) -> tuple[list[dict[str, Any]], str, bool]: ...

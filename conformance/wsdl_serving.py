"""Serve the contract's WSDL and XSDs from the kit's own endpoint, as a client expects to find them.

Senders built on a WSDL-driven SOAP stack fetch ``<target>?wsdl`` before sending; the kit therefore
offers the documents of ``api_specs`` with the port address set to the kit's endpoint and each schema
location pointing at ``<endpoint>?xsd=<file>``.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

import api_specs

_XSD_NAME = re.compile(r"^[a-z0-9_-]+\.xsd$")
_ADDRESS = re.compile(r'(<soap(?:12)?:address\s+location=")[^"]*(")')
_SCHEMA_LOCATION = re.compile(r'schemaLocation="(?:\.\./xsd/)?([a-z0-9_-]+\.xsd)"')


def document(request: Request, service: str) -> Response:
    endpoint = str(request.url.replace(query="", fragment=""))
    name = request.query_params.get("xsd")
    if name is not None:
        if not _XSD_NAME.match(name) or not api_specs.path("xsd", name).is_file():
            return Response("unknown schema", status_code=404, media_type="text/plain")
        text = api_specs.path("xsd", name).read_text(encoding="utf-8")
    else:
        text = api_specs.path("wsdl", f"{service}.wsdl").read_text(encoding="utf-8")
        text = _ADDRESS.sub(lambda m: f"{m.group(1)}{endpoint}{m.group(2)}", text)
    text = _SCHEMA_LOCATION.sub(lambda m: f'schemaLocation="{endpoint}?xsd={m.group(1)}"', text)
    return Response(text, media_type="text/xml; charset=utf-8")

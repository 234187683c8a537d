"""Serve a service's WSDL and XSD as a client should see them from where it called.

The files in api_specs/ are the single source; at serve time the port address becomes the URL the
request came to, and schema locations become ``?xsd=<file>`` on the same endpoint.
"""

from __future__ import annotations

import re
from functools import cache

from starlette.requests import Request
from starlette.responses import Response

import api_specs

_XSD_NAME = re.compile(r"^[a-z0-9_-]+\.xsd$")
_LOCATION = re.compile(r'location="[^"]*"')
_SCHEMA_LOCATION = re.compile(r'schemaLocation="(?:\.\./xsd/)?([a-z0-9_-]+\.xsd)"')


class WsdlDocuments:
    @cache  # noqa: B019 - a handful of small files, kept for the process lifetime
    def _raw(self, kind: str, name: str) -> str:
        return api_specs.path(kind, name).read_text(encoding="utf-8")

    def response(self, request: Request, service: str) -> Response:
        endpoint = str(request.url.replace(query="", fragment=""))
        params = request.query_params
        if "xsd" in params:
            name = params["xsd"]
            if not _XSD_NAME.match(name) or not api_specs.path("xsd", name).exists():
                return Response("unknown schema", status_code=404, media_type="text/plain")
            text = self._raw("xsd", name)
        elif "wsdl" in params or not params:
            text = _LOCATION.sub(f'location="{endpoint}"', self._raw("wsdl", f"{service}.wsdl"))
        else:
            return Response("use ?wsdl or ?xsd=<file>", status_code=400, media_type="text/plain")
        text = _SCHEMA_LOCATION.sub(lambda m: f'schemaLocation="{endpoint}?xsd={m.group(1)}"', text)
        return Response(text, media_type="text/xml; charset=utf-8")

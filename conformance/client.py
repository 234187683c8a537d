"""The kit's HTTP side: sends contract messages to the product and records every exchange.

Requests the kit builds itself are checked against the XSD before they leave, so a verdict can never
rest on a malformed probe of the kit's own making (deliberately bad probes say so explicitly).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from lxml import etree

from conformance.contract import SOAP11, common_schema, schema_errors
from conformance.datetimes import DateTimeWatch
from conformance.evidence import Exchange, Recorder
from conformance.options import KitOptions
from conformance.soap import SoapReply, envelope, header_fields, http_headers, parse_reply, pf_header
from conformance.wsse import TokenSpec, security_header

DEFAULT = object()  # "build the normal value" for header and token arguments


class KitError(AssertionError):
    """The kit itself built something invalid: a defect of the kit, reported as such."""


@dataclass
class RestReply:
    status: int
    content_type: str
    raw: bytes
    data: Any

    def describe(self) -> str:
        return f"HTTP {self.status} {self.content_type}"


class KitClient:
    def __init__(self, options: KitOptions, recorder: Recorder) -> None:
        self.options = options
        self.recorder = recorder
        self.http = httpx.Client(timeout=options.timeout, trust_env=False)
        self.datetimes = DateTimeWatch()  # every response of the run, judged at its end (JUMIN-DT-001)

    def close(self) -> None:
        self.http.close()

    # -- SOAP -------------------------------------------------------------------------------------
    def token(self) -> TokenSpec:
        return TokenSpec.fresh(self.options.username or "", self.options.password or "")

    def header(self, operation: str, subject_key: str | None = None,
               **overrides: str | None) -> dict[str, Any]:
        fields = header_fields(lg_code=self.options.lg_code, sender_id=self.options.sender_id,
                               operation=operation, subject_key=subject_key,
                               service=self.options.service)
        fields.update(overrides)
        return fields

    def envelope_bytes(self, operation: str, body: etree._Element, *, version: str = SOAP11,
                       header: Any = DEFAULT, token: Any = DEFAULT, wrong_password: bool = False,
                       check: bool = True) -> bytes:
        fields = self.header(operation) if header is DEFAULT else header
        spec = self.token() if token is DEFAULT else token
        block = pf_header(fields) if fields is not None else None
        sec = security_header(spec, digest_password="wrong-" + spec.password if wrong_password else None) \
            if spec is not None else None
        if check:
            problems = schema_errors(body)
            if block is not None and not common_schema().validate(block):
                problems.append("PfHeader: " + str(common_schema().error_log.last_error))
            if problems:
                raise KitError(f"the kit built an invalid {operation} request: {problems}")
        return envelope(version, body, header=block, security=sec)

    def soap(self, operation: str, body: etree._Element | None = None, *, version: str = SOAP11,
             header: Any = DEFAULT, token: Any = DEFAULT, wrong_password: bool = False,
             raw: bytes | None = None, check: bool = True, label: str = "") -> SoapReply:
        """Send one request; ``raw`` sends bytes as given (probes), else an envelope is built."""
        if raw is None:
            assert body is not None
            raw = self.envelope_bytes(operation, body, version=version, header=header, token=token,
                                      wrong_password=wrong_password, check=check)
        return self.post_soap(operation, raw, version=version, label=label or operation)

    def post_soap(self, operation: str, raw: bytes, *, version: str = SOAP11, label: str = "") -> SoapReply:
        headers = http_headers(version, operation, self.options.service)
        status, resp_headers, content = self._send("POST", self.options.soap_url, headers, raw, label)
        if status is None:
            reply = SoapReply(0, "", b"")
            reply.parse_error = content.decode("utf-8", "replace")
            return reply
        return parse_reply(status, resp_headers.get("content-type", ""), content)

    # -- REST -------------------------------------------------------------------------------------
    def rest_get(self, path: str, params: dict[str, Any] | None = None, *, api_key: Any = DEFAULT,
                 label: str = "") -> RestReply:
        headers = {"Accept": "application/json", "X-Chipla-Purpose": "jumin_kiroku",
                   "X-Chipla-Operator": "conformance"}
        key = self.options.api_key if api_key is DEFAULT else api_key
        if key:
            headers["X-API-Key"] = key
        url = self.options.rest_url + path
        if params:
            url += "?" + str(httpx.QueryParams({k: v for k, v in params.items() if v is not None}))
        status, resp_headers, content = self._send("GET", url, headers, b"", label or path)
        data: Any = None
        try:
            data = json.loads(content) if content else None
        except ValueError:
            data = None
        return RestReply(status or 0, resp_headers.get("content-type", ""), content, data)

    def get(self, url: str, label: str) -> tuple[int | None, bytes]:
        status, _, content = self._send("GET", url, {}, b"", label)
        return status, content

    def post_json(self, url: str, payload: dict[str, Any], label: str) -> int | None:
        body = json.dumps(payload).encode()
        status, _, _ = self._send("POST", url, {"Content-Type": "application/json"}, body, label)
        return status

    # -- transport --------------------------------------------------------------------------------
    def _send(self, method: str, url: str, headers: dict[str, str], body: bytes,
              label: str) -> tuple[int | None, dict[str, str], bytes]:
        started = time.monotonic()
        try:
            resp = self.http.request(method, url, headers=headers, content=body)
            status, resp_headers, content = resp.status_code, dict(resp.headers), resp.content
        except httpx.HTTPError as exc:
            status, resp_headers, content = None, {}, f"接続エラー: {type(exc).__name__}: {exc}".encode()
        elapsed = int((time.monotonic() - started) * 1000)
        exchange = Exchange.of(label, method, url, headers, body, status, resp_headers, content, elapsed)
        self.recorder.add(exchange)
        if status is not None:
            self.datetimes.look(exchange, content)
        return status, resp_headers, content

"""A deliberately faulty vendor system for testing the kit: provider and receiver of the jumin contract.

With no faults switched on it follows the contract and passes every requirement of its roles; each
fault breaks exactly one rule, so the kit's tests can prove that the kit notices it, under the right
requirement id. It depends on lxml, starlette and uvicorn and reads only ``api_specs`` data, like a
vendor's product would: nothing of the hub is imported.

Run by hand: ``python -m conformance.faulty_vendor --port 8765 --fault replay_accepted``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import yaml
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import api_specs
from conformance.faulty_vendor_parts import Refused
from conformance.faulty_vendor_rest import rest_routes

FAULTS = ("wrong_namespace", "missing_header_accepted", "wrong_result_code", "replay_accepted",
          "stale_token_accepted", "duplicate_500", "out_of_order", "schema_invalid_response",
          "paging_gaps", "dtd_accepted", "oversized_accepted", "naive_datetime")
S11, S12 = "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"
NC, NJ = "urn:chipla:ns:common:1", "urn:chipla:ns:jumin:1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
C, J = f"{{{NC}}}", f"{{{NJ}}}"
REQUIRED = ("messageId", "sentAt", "lgCode", "senderSystemId", "service", "operation", "specVersion")
IDO_JIYU = {"10", "11", "12", "13", "14", "15", "20", "21", "22", "23", "24", *map(str, range(30, 40))}
JST = timezone(timedelta(hours=9))
LIMIT = 1024 * 1024
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
LENIENT = etree.XMLParser(resolve_entities=True, no_network=True, load_dtd=True, huge_tree=False)


def _codes() -> dict[str, dict[str, Any]]:
    raw = yaml.safe_load(api_specs.path("result_codes.yaml").read_text(encoding="utf-8"))
    return {str(r["code"]): r for r in raw["codes"]}


def lg_ok(code: str) -> bool:
    if len(code) != 6 or not code.isdigit():
        return False
    s = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), code[:5], strict=True))
    return (11 - s % 11) % 10 == int(code[5])


@dataclass
class State:
    residents: dict[str, list[tuple[str, int, etree._Element]]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Vendor:
    def __init__(self, faults: set[str], username: str, password: str, api_key: str) -> None:
        unknown = faults - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        self.faults, self.username, self.password, self.api_key = faults, username, password, api_key
        self.state = State()
        self.codes = _codes()
        self.schema = etree.XMLSchema(etree.parse(str(api_specs.path("xsd", "jumin.xsd"))))
        self.header_schema = etree.XMLSchema(etree.parse(str(api_specs.path("xsd", "common.xsd"))))

    # -- SOAP entry ----------------------------------------------------------------------------------
    def soap(self, raw: bytes) -> tuple[int, str, bytes]:
        version = S11
        try:
            root = self._parse(raw)
            version = etree.QName(root).namespace if etree.QName(root).namespace in (S11, S12) else S11
            body = self._unwrap(root)
            op = etree.QName(body).localname.removesuffix("Request")
            if op not in ("IdoTsuchi", "JuminShokai", "IdoIchiranShokai", "SetaiShokai") or (
                    etree.QName(body).namespace != NJ and "wrong_namespace" not in self.faults):
                raise Refused("1011", f"未定義の操作です: {body.tag}")
            header = root.find(f"{{{etree.QName(root).namespace}}}Header")
            self._authenticate(header)
            pf = self._header(header, op)
            if "wrong_namespace" in self.faults:
                body = etree.fromstring(etree.tostring(body).replace(etree.QName(body).namespace.encode(),
                                                                     NJ.encode()))
            if not self.schema.validate(body):
                raise Refused("1002", f"スキーマ検証エラー: {self.schema.error_log.last_error}")
            result = getattr(self, "op_" + op)(body, pf)
        except Refused as r:
            return self._fault(version, r)
        if "schema_invalid_response" in self.faults:
            etree.SubElement(result, J + "vendorExtension").text = "x"
        return 200, version, self._envelope(version, result)

    def _parse(self, raw: bytes) -> etree._Element:
        if len(raw) > LIMIT and "oversized_accepted" not in self.faults:
            raise Refused("1007", "電文サイズ超過")
        has_dtd = b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper()
        if has_dtd and "dtd_accepted" not in self.faults:
            raise Refused("1006", "DTD を含む電文は受け付けません")
        head = raw[:100].lower()
        if b"encoding=" in head and b"utf-8" not in head:
            raise Refused("1008", "UTF-8 以外の文字コード")
        parser = LENIENT if has_dtd else SAFE
        if "oversized_accepted" in self.faults:
            parser = etree.XMLParser(resolve_entities=has_dtd, no_network=True, huge_tree=True)
        try:
            return etree.fromstring(raw, parser)
        except etree.XMLSyntaxError as exc:
            raise Refused("1001", f"整形式ではありません: {exc}") from exc

    def _unwrap(self, root: etree._Element) -> etree._Element:
        ns = etree.QName(root).namespace
        if etree.QName(root).localname != "Envelope" or (ns not in (S11, S12)
                                                          and "wrong_namespace" not in self.faults):
            raise Refused("1011", "SOAP Envelope ではありません")
        body = root.find(f"{{{ns}}}Body")
        kids = [c for c in body if isinstance(c.tag, str)] if body is not None else []
        if len(kids) != 1:
            raise Refused("1001", "Body に要素が一つではありません")
        return kids[0]

    def _authenticate(self, header: etree._Element | None) -> None:
        tok = header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken") if header is not None else None
        if tok is None:
            raise Refused("2001", "UsernameToken がありません")
        nonce_b64 = tok.findtext(f"{{{WSSE}}}Nonce") or ""
        created = tok.findtext(f"{{{WSU}}}Created") or ""
        try:
            nonce = base64.b64decode(nonce_b64, validate=True)
            when = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError as exc:
            raise Refused("2002", "Nonce/Created の誤り") from exc
        expected = base64.b64encode(hashlib.sha1(nonce + created.encode() + self.password.encode())
                                    .digest()).decode()
        if tok.findtext(f"{{{WSSE}}}Username") != self.username or \
                tok.findtext(f"{{{WSSE}}}Password") != expected:
            raise Refused("2002", "認証失敗")
        now = datetime.now(UTC)
        if "stale_token_accepted" not in self.faults and not (now - timedelta(minutes=5) <= when
                                                              <= now + timedelta(seconds=60)):
            raise Refused("2004", "Created が有効範囲外")
        with self.state.lock:
            if nonce_b64 in self.state.nonces and "replay_accepted" not in self.faults:
                raise Refused("2003", "トークンの再利用")
            self.state.nonces.add(nonce_b64)

    def _header(self, header: etree._Element | None, op: str) -> dict[str, str]:
        block = header.find(C + "PfHeader") if header is not None else None
        if block is None:
            if "missing_header_accepted" in self.faults:
                return {}
            raise Refused("1003", "共通ヘッダがありません")
        fields = {etree.QName(c).localname: (c.text or "") for c in block if isinstance(c.tag, str)}
        if "missing_header_accepted" not in self.faults:
            missing = [f for f in REQUIRED if not fields.get(f)]
            if missing or not self.header_schema.validate(block):
                raise Refused("1003", f"共通ヘッダの誤り: {missing}")
        if "lgCode" in fields and not lg_ok(fields["lgCode"]):
            raise Refused("1005", "団体コードの検査数字誤り")
        if "operation" in fields and fields["operation"] != op:
            raise Refused("1003", "operation が本文と一致しません")
        return fields

    # -- operations ----------------------------------------------------------------------------------
    def op_IdoTsuchi(self, body: etree._Element, pf: dict[str, str]) -> etree._Element:
        ido = body.find(J + "ido")
        assert ido is not None
        if any(el.text not in IDO_JIYU for el in body.iter(J + "idoJiyu")):
            raise Refused("1004", "コード表にない異動事由")
        atena = ido.findtext(f"{J}jumin/{J}shikibetsu/{J}atenaNo") or ""
        ido_date = ido.findtext(J + "idoDate") or ""
        canon = etree.tostring(body, method="c14n")
        mid = pf.get("messageId") or str(uuid.uuid4())
        with self.state.lock:
            if mid in self.state.messages:
                first, receipt = self.state.messages[mid]
                if first != canon:
                    raise Refused("1009", "同一メッセージIDで内容が異なる")
                if "duplicate_500" in self.faults:
                    raise Refused("5001", "内部エラー")
                return self._receipt(receipt, "0001", True)
            versions = self.state.residents.setdefault(atena, [])
            if versions and ido_date < max(v[0] for v in versions) and "out_of_order" not in self.faults:
                raise Refused("1010", "異動日が現在の記録より古い")
            seq = len(self.state.log) + 1
            receipt = {"receiptId": f"fv-{seq:08d}", "acceptedAt": datetime.now(JST).isoformat()}
            versions.append((ido_date, seq, ido.find(J + "jumin")))
            self.state.log.append({"seq": seq, **receipt, "ido": ido})
            self.state.messages[mid] = (canon, receipt)
        return self._receipt(receipt, "0000", False)

    def _receipt(self, receipt: dict[str, str], code: str, duplicate: bool) -> etree._Element:
        resp = self._response("IdoTsuchiResponse", code)
        etree.SubElement(resp, J + "receiptId").text = receipt["receiptId"]
        etree.SubElement(resp, J + "acceptedAt").text = self._time(receipt["acceptedAt"], duplicate)
        etree.SubElement(resp, J + "duplicate").text = "true" if duplicate else "false"
        return resp

    def _time(self, value: str, naive_here: bool = True) -> str:
        """With the naive_datetime fault, a date-time loses its offset (repeated receipts, 異動一覧)."""
        if "naive_datetime" in self.faults and naive_here:
            return datetime.fromisoformat(value).replace(tzinfo=None).isoformat()
        return value

    def current(self, atena: str) -> etree._Element | None:
        versions = self.state.residents.get(atena)
        return max(versions, key=lambda v: (v[0], v[1]))[2] if versions else None

    def op_JuminShokai(self, body: etree._Element, pf: dict[str, str]) -> etree._Element:
        record = self.current(body.findtext(J + "atenaNo") or "")
        if record is None:
            raise Refused("1012" if "wrong_result_code" in self.faults else "3001", "該当する住民がない")
        resp = self._response("JuminShokaiResponse", "0000")
        resp.append(_copy(record, "jumin"))
        return resp

    def members(self, setai: str) -> list[etree._Element]:
        found = [self.current(a) for a in sorted(self.state.residents)]
        return [r for r in found if r is not None and r.findtext(f"{J}shikibetsu/{J}setaiNo") == setai]

    def op_SetaiShokai(self, body: etree._Element, pf: dict[str, str]) -> etree._Element:
        setai = body.findtext(J + "setaiNo") or ""
        members = self.members(setai)
        if not members:
            raise Refused("1012" if "wrong_result_code" in self.faults else "3002", "該当する世帯がない")
        resp = self._response("SetaiShokaiResponse", "0000")
        etree.SubElement(resp, J + "setaiNo").text = setai
        for m in members:
            resp.append(_copy(m, "member"))
        return resp

    def page(self, since: str | None, cursor: str | None,
             size: int) -> tuple[list[dict[str, Any]], str, bool]:
        """One page of the 異動 log; shared by SOAP and REST."""
        if cursor is not None:
            if not cursor.startswith("fv-seq-") or not cursor[7:].isdigit():
                raise Refused("1012", "発行していない cursor")
            rows = [e for e in self.state.log if e["seq"] > int(cursor[7:])]
        else:
            start = datetime.fromisoformat(since or "1970-01-01T00:00:00+09:00")
            rows = [e for e in self.state.log if datetime.fromisoformat(e["acceptedAt"]) > start]
        page, more = rows[:size], len(rows) > size
        if page:
            last = page[-1]["seq"]
        elif cursor:
            last = int(cursor[7:])
        else:
            last = self.state.log[-1]["seq"] if self.state.log else 0
        if "paging_gaps" in self.faults and more:
            last += 1
        if "out_of_order" in self.faults:
            page = list(reversed(page))
        return page, f"fv-seq-{last}", more

    def op_IdoIchiranShokai(self, body: etree._Element, pf: dict[str, str]) -> etree._Element:
        size = int(body.findtext(J + "pageSize") or 100)
        page, cursor, more = self.page(body.findtext(J + "since"), body.findtext(J + "cursor"), size)
        resp = self._response("IdoIchiranShokaiResponse", "0000")
        for e in page:
            entry = etree.SubElement(resp, J + "entry")
            etree.SubElement(entry, J + "receiptId").text = e["receiptId"]
            etree.SubElement(entry, J + "acceptedAt").text = self._time(e["acceptedAt"])
            entry.append(_copy(e["ido"], "ido"))
        etree.SubElement(resp, J + "nextCursor").text = cursor
        etree.SubElement(resp, J + "hasMore").text = "true" if more else "false"
        return resp

    # -- envelopes -----------------------------------------------------------------------------------
    def _response(self, name: str, code: str) -> etree._Element:
        resp = etree.Element(J + name, nsmap={"j": NJ, "c": NC})
        result = etree.SubElement(resp, J + "result")
        etree.SubElement(result, C + "code").text = code
        etree.SubElement(result, C + "message").text = self.codes[code]["ja"]
        return resp

    @staticmethod
    def _envelope(version: str, child: etree._Element) -> bytes:
        env = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
        etree.SubElement(env, f"{{{version}}}Body").append(child)
        return etree.tostring(env, xml_declaration=True, encoding="utf-8")

    def _fault(self, version: str, r: Refused) -> tuple[int, str, bytes]:
        client = self.codes[r.code]["faultcode"] == "Client"
        env = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
        fault = etree.SubElement(etree.SubElement(env, f"{{{version}}}Body"), f"{{{version}}}Fault")
        if version == S11:
            etree.SubElement(fault, "faultcode").text = "soap:Client" if client else "soap:Server"
            etree.SubElement(fault, "faultstring").text = f"{r.code} {r.message}"
            detail = etree.SubElement(fault, "detail")
        else:
            code = etree.SubElement(fault, f"{{{version}}}Code")
            etree.SubElement(code, f"{{{version}}}Value").text = "soap:Sender" if client else "soap:Receiver"
            etree.SubElement(etree.SubElement(fault, f"{{{version}}}Reason"), f"{{{version}}}Text").text = \
                f"{r.code} {r.message}"
            detail = etree.SubElement(fault, f"{{{version}}}Detail")
        rf = etree.SubElement(detail, C + "ResultFault", nsmap={"c": NC})
        etree.SubElement(rf, C + "code").text = r.code
        etree.SubElement(rf, C + "message").text = r.message
        return 500, version, etree.tostring(env, xml_declaration=True, encoding="utf-8")


def _copy(el: etree._Element, tag: str) -> etree._Element:
    out = etree.fromstring(etree.tostring(el))
    out.tag = J + tag
    return out


def create_app(faults: set[str] | None = None, *, username: str = "vendor", password: str = "vendor-secret",
               api_key: str = "vendor-api-key-0001") -> Starlette:
    vendor = Vendor(set(faults or ()), username, password, api_key)

    async def soap(request: Request) -> Response:
        if request.method == "GET":
            return Response(api_specs.path("wsdl", "jumin.wsdl").read_bytes(), media_type="text/xml")
        status, version, content = vendor.soap(await request.body())
        media = "application/soap+xml; charset=utf-8" if version == S12 else "text/xml; charset=utf-8"
        return Response(content, status_code=status, media_type=media)

    async def health(request: Request) -> Response:
        return JSONResponse({"faults": sorted(vendor.faults)})

    app = Starlette(routes=[Route("/soap/jumin", soap, methods=["GET", "POST"]),
                            Route("/healthz", health), *rest_routes(vendor)])
    app.state.vendor = vendor
    return app


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - manual use
    import uvicorn

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--fault", action="append", default=[], choices=FAULTS)
    ns = p.parse_args(argv)
    uvicorn.run(create_app(set(ns.fault)), host="127.0.0.1", port=ns.port)


if __name__ == "__main__":  # pragma: no cover
    main()

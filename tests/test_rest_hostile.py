"""Hostile and malformed input at the REST door: each gets problem+json with its 結果コード, and the
hub goes on serving."""

from __future__ import annotations

import httpx
import pytest

from simulators.samples import SampleTown, header
from tests.support import RunningHub

CASES = [
    ("oversized", b'{"meta": {}, "ido": "' + b"x" * (1024 * 1024 + 10) + b'"}', "application/json", 413, "1007"),
    ("not-utf8", '{"meta": {"operatorId": "木曽"}}'.encode("shift_jis"), "application/json", 400, "1008"),
    ("malformed-json", b'{"meta": {', "application/json", 400, "1012"),
    ("xml-to-json-endpoint", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "application/xml",
     415, "1012"),
    ("deeply-nested", b'{"meta": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json", 400, "1012"),
]


@pytest.mark.parametrize(("name", "body", "ctype", "status", "code"), CASES, ids=[c[0] for c in CASES])
def test_rest_refuses_with_code_and_keeps_serving(hub: RunningHub, name: str, body: bytes, ctype: str,
                                                  status: int, code: str) -> None:
    resp = httpx.post(f"{hub.url}/api/v1/jumin/ido", content=body, timeout=30,
                      headers={"content-type": ctype, "X-API-Key": hub.juki_key})
    assert resp.status_code == status, resp.text[:300]
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == code
    ok = httpx.post(f"{hub.url}/api/v1/jumin/ido", json={"meta": header("juki"), "ido": SampleTown().tennyu()},
                    headers={"X-API-Key": hub.juki_key}, timeout=30)
    assert ok.status_code == 202

"""照会 parameters: a forged or overflowing cursor is 1012 (never a 5001), and the REST door admits
exactly the dates, instants and cursors the SOAP door's XSD admits."""

from __future__ import annotations

import base64

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from broker.errors import RequestInvalid
from broker.services import jumin
from simulators.samples import header
from tests.support import RunningHub, raw_soap

NS = "{urn:chipla:ns:common:1}"


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_CURSORS = [
    "c2VxOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # seq:999999999999999999999999999 (SQLite overflow)
    _cursor("seq:-1"), _cursor("seq:+5"), _cursor("seq:007"), _cursor("seq: 5"), _cursor("seq:٣"),
    _cursor(f"seq:{2**63}"), _cursor("row:5"), "!!!", "",
    _cursor("seq:5") + "==",
]


def _soap(hub: RunningHub, element: str, body: dict, operation: str) -> tuple[int, str]:
    meta = header("juki") | {"operation": operation}
    data = raw_soap(meta, f"{{urn:chipla:ns:jumin:1}}{element}", body, "juki", hub.juki_password)
    resp = httpx.post(f"{hub.url}/soap/jumin", content=data)
    root = etree.fromstring(resp.content)
    return resp.status_code, str(root.findtext(f".//{NS}code"))


def _rest(hub: RunningHub, path: str, **params: str) -> tuple[int, str]:
    resp = httpx.get(f"{hub.url}/api/v1/jumin/{path}", params=params, headers={"X-API-Key": hub.juki_key})
    code = resp.json().get("code") or resp.json().get("result", {}).get("code")
    return resp.status_code, str(code)


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_a_bad_cursor_is_1012_at_both_doors(shared_hub: RunningHub, cursor: str) -> None:
    status, code = _rest(shared_hub, "ido", cursor=cursor)
    assert (status, code) == (400, "1012"), cursor
    if cursor:  # an empty element is the XSD's business at the SOAP door
        status, code = _soap(shared_hub, "IdoIchiranShokaiRequest", {"cursor": cursor}, "IdoIchiranShokai")
        assert code == "1012", cursor


def test_the_cursor_the_hub_issues_is_taken(shared_hub: RunningHub) -> None:
    first = httpx.get(f"{shared_hub.url}/api/v1/jumin/ido", params={"since": "2000-01-01T00:00:00Z"},
                      headers={"X-API-Key": shared_hub.juki_key})
    assert first.status_code == 200
    again = httpx.get(f"{shared_hub.url}/api/v1/jumin/ido", params={"cursor": first.json()["nextCursor"]},
                      headers={"X-API-Key": shared_hub.juki_key})
    assert again.status_code == 200


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_cursor_round_trip(seq: int) -> None:
    assert jumin.decode_cursor(jumin.encode_cursor(seq)) == seq


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_other_cursor_is_refused_not_crashed(text: str) -> None:
    try:
        seq = jumin.decode_cursor(text)
    except RequestInvalid:
        return
    assert jumin.encode_cursor(seq) == text


AS_OF = ["zzzz", "2026-13-45", "2026-02-30", "26-01-01", "2026-1-1", "2026-01-01T00:00:00", "２０２６-01-01",
         "0000-01-01", "2026-01-01+25:00"]


@pytest.mark.parametrize("as_of", AS_OF)
def test_the_same_bad_as_of_is_refused_at_both_doors(shared_hub: RunningHub, as_of: str) -> None:
    rest_status, rest_code = _rest(shared_hub, "residents/100000001", asOf=as_of)
    soap_status, soap_code = _soap(shared_hub, "JuminShokaiRequest", {"atenaNo": "100000001", "asOf": as_of},
                                   "JuminShokai")
    assert rest_status == 400 and rest_code == "1012", as_of
    assert soap_status == 500 and soap_code in ("1002", "1012"), as_of
    rest_status, rest_code = _rest(shared_hub, "setai/200000001", asOf=as_of)
    assert rest_status == 400 and rest_code == "1012", as_of


@pytest.mark.parametrize("as_of", ["2026-01-01", "2026-01-01+09:00", "2026-01-01Z"])
def test_the_same_good_as_of_is_answered_alike_at_both_doors(shared_hub: RunningHub, as_of: str) -> None:
    rest_status, rest_code = _rest(shared_hub, "residents/100000001", asOf=as_of)
    soap_status, soap_code = _soap(shared_hub, "JuminShokaiRequest", {"atenaNo": "100000001", "asOf": as_of},
                                   "JuminShokai")
    assert (rest_status, rest_code) == (404, "3001")
    assert soap_code == "3001"


@pytest.mark.parametrize("since", ["2026-11-29T10:00:00", "yesterday", "2026-11-29"])
def test_the_same_bad_since_is_refused_at_both_doors(shared_hub: RunningHub, since: str) -> None:
    rest_status, rest_code = _rest(shared_hub, "ido", since=since)
    soap_status, soap_code = _soap(shared_hub, "IdoIchiranShokaiRequest", {"since": since}, "IdoIchiranShokai")
    assert rest_status == 400 and rest_code == "1012", since
    assert soap_code in ("1002", "1012"), since

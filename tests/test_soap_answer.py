"""How a SOAP delivery reads the receiver's answer: only its 結果コード, and never trusts a bad answer.

The answer is parsed by the hardened parser (no DTD, no entities), and the code is looked for by the
names the XSD gives ``result`` and ``code``; anything else — another element, a duplicate, a missing
code, bytes that are no XML at all — is a failure that will be retried (5003), never a delivery.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.outbound.soap_client import SoapDeliveryAdapter
from adapters.soap import envelope
from adapters.wire import codec
from broker.clock import now
from broker.errors import RequestInvalid
from broker.outbound import DeliveryFailed
from broker.services.jumin import JuminService

J = "urn:chipla:ns:jumin:1"
C = codec.NS_COMMON


@pytest.fixture(scope="module")
def adapter() -> SoapDeliveryAdapter:
    return SoapDeliveryAdapter(JuminService.contract)


def _answer(code: str, **fields: object) -> bytes:
    body = codec.for_contract(JuminService.contract).to_xml(f"{{{J}}}IdoTsuchiResponse", {
        "result": {"code": code, "message": "受信しました"}, "receiptId": "r-1", "acceptedAt": now(),
        "duplicate": False, **fields})
    return envelope.envelope(envelope.SOAP11, body)


def _raw(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{envelope.SOAP11}" xmlns:j="{J}" '
            f'xmlns:c="{C}"><s:Body>{body}</s:Body></s:Envelope>').encode()


def _failure(adapter: SoapDeliveryAdapter, status: int, data: bytes) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        adapter._check_answer(status, data)
    return caught.value


@pytest.mark.parametrize("code", ["0000", "0001"])
def test_an_accepting_code_is_a_delivery(adapter: SoapDeliveryAdapter, code: str) -> None:
    adapter._check_answer(200, _answer(code))


@pytest.mark.parametrize(("code", "retryable"), [("5001", True), ("1001", False), ("2003", False)])
def test_other_codes_fail_retryable_only_when_5xxx(adapter: SoapDeliveryAdapter, code: str, retryable: bool) -> None:
    failed = _failure(adapter, 200, _answer(code))
    assert failed.detail == f"receiver answered {code}" and failed.retryable is retryable


def test_a_fault_carries_its_code(adapter: SoapDeliveryAdapter) -> None:
    data = envelope.fault(envelope.SOAP11, RequestInvalid("だめです"))
    failed = _failure(adapter, 500, data)
    assert failed.detail.startswith("SOAP Fault 1") and not failed.retryable


@pytest.mark.parametrize("body", [
    "<j:IdoTsuchiRequest/>",  # an element of the contract without a result
    "<j:Nothing><j:result><c:code>0000</c:code></j:result></j:Nothing>",  # not an element of the contract
    "<j:IdoTsuchiResponse><j:result><c:message>x</c:message></j:result></j:IdoTsuchiResponse>",  # no code
    "<j:IdoTsuchiResponse><j:result><c:code>0000</c:code></j:result><j:result><c:code>0000</c:code>"
    "</j:result></j:IdoTsuchiResponse>",  # two results
    "<j:IdoTsuchiResponse><j:result><c:code>0000</c:code><c:code>0000</c:code></j:result></j:IdoTsuchiResponse>",
    "<j:IdoTsuchiResponse><result><code>0000</code></result></j:IdoTsuchiResponse>",  # names without namespace
    "<j:IdoTsuchiResponse><c:code>0000</c:code></j:IdoTsuchiResponse>",  # a code outside the result
])
def test_an_answer_without_one_result_code_is_retried(adapter: SoapDeliveryAdapter, body: str) -> None:
    failed = _failure(adapter, 200, _raw(body))
    assert failed.detail.startswith("5003 unexpected answer") and failed.retryable


@pytest.mark.parametrize("data", [
    b"",
    b"not xml",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
    "<?xml version='1.0' encoding='utf-16'?><x/>".encode("utf-16"),
])
def test_a_hostile_or_malformed_answer_is_no_delivery(adapter: SoapDeliveryAdapter, data: bytes) -> None:
    failed = _failure(adapter, 200, data)
    assert failed.detail.startswith("5003") and failed.retryable


def test_an_http_error_is_retried(adapter: SoapDeliveryAdapter) -> None:
    failed = _failure(adapter, 503, b"busy")
    assert failed.detail.startswith("5003 HTTP 503") and failed.retryable


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=200).map(lambda t: _raw(t)))
def test_any_bytes_are_a_clear_failure_or_an_accepting_code(data: bytes) -> None:
    adapter = SoapDeliveryAdapter(JuminService.contract)
    try:
        adapter._check_answer(200, data)
    except DeliveryFailed:
        return
    assert b"0000" in data or b"0001" in data

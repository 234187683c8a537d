"""One way to POST a webhook delivery, used by the plain webhook and the signed 正本 alike: every
receiver with a secret gets signed requests, and every answer is read the same way."""

from __future__ import annotations

import httpx
import pytest

from adapters.outbound import webhook_signature
from adapters.outbound.webhook import post_json
from broker.envelope import Header
from broker.outbound import DeliveryFailed, OutboundMessage
from broker.registry import SystemInfo


def _message(secret: str | None) -> OutboundMessage:
    employer = SystemInfo("employer-1", "株式会社木曽岬製作所", "243035", False, (), "webhook", "http://e.invalid/h",
                          None, None, None, True, webhook_secret=secret)
    header = Header("6f1c1d54-6c61-4b5e-9a8e-0f2f4f6a7b01", "2026-11-29T10:00:00+09:00", "243035", "kojin-juminzei",
                    "zei", "ZeigakuTsuchi", "1.0")
    return OutboundMessage(7, "r-7", 2, header, {}, None, employer)


def _post(status: int, secret: str | None) -> httpx.Request:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        post_json(client, "http://e.invalid/h", b'{"seihon": "PHg+"}', _message(secret))
    return seen[0]


def test_a_receiver_with_a_secret_gets_a_signature_it_can_verify() -> None:
    sent = _post(200, "employer-secret-0123456789")
    assert sent.headers["idempotency-key"] == "r-7" and sent.headers["x-chipla-attempt"] == "2"
    assert webhook_signature.verify("employer-secret-0123456789", sent.headers, sent.content) is None
    assert webhook_signature.verify("another-secret-0123456789", sent.headers, sent.content) is not None
    assert webhook_signature.SIGNATURE_HEADER not in _post(200, None).headers


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (429, True), (408, True), (400, False), (403, False)])
def test_answers_are_read_alike(status: int, retryable: bool) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        _post(status, None)
    assert failed.value.retryable is retryable
    _post(409, None)  # the receiver already has it: delivered

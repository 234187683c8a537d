"""Webhook (REST) delivery: POST the 異動 as JSON, with the receipt id as the idempotency key.

A receiver registered with a ``webhookSecret`` gets every delivery signed (``webhook_signature``).
Deliveries go over kept connections (``pooled_http``).
2xx and 409 (the receiver already has it) count as delivered; other 4xx are permanent (dead
letter at once, the receiver refuses the content); 5xx, 408, 429 and network errors are retried.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from adapters.outbound import pooled_http, webhook_signature
from broker.outbound import DeliveryFailed, OutboundAdapter, OutboundMessage


def payload(message: OutboundMessage) -> dict[str, Any]:
    meta = message.header.to_wire()
    meta.update({"messageId": message.receipt_id, "correlationId": message.header.message_id,
                 "receiverSystemId": message.destination.id})
    out: dict[str, Any] = {"meta": meta, **message.body}
    if message.mapped is not None:
        out["imi"] = message.mapped
    return out


def request_headers(body: bytes, message: OutboundMessage) -> dict[str, str]:
    """What every webhook delivery carries: idempotency key, attempt, a signature when the receiver
    registered a secret."""
    sent = {"content-type": "application/json; charset=utf-8", "idempotency-key": message.receipt_id,
            "x-chipla-attempt": str(message.attempt)}
    if message.destination.webhook_secret:
        sent.update(webhook_signature.headers(message.destination.webhook_secret, body))
    return sent


def read_answer(status: int, text: str) -> None:
    """Delivered on 2xx and 409 (the receiver already has it); otherwise the failure, retryable or not."""
    if 200 <= status < 300 or status == 409:
        return
    retryable = status >= 500 or status in (408, 429)
    raise DeliveryFailed(f"HTTP {status}: {text[:300]}", retryable=retryable)


def post_json(client: httpx.Client, url: str, body: bytes, message: OutboundMessage) -> None:
    """POST one delivery the way every webhook receiver gets it (``request_headers``, ``read_answer``)."""
    try:
        resp = client.post(url, content=body, headers=request_headers(body, message))
    except httpx.TimeoutException as exc:
        raise DeliveryFailed(f"5004 timeout: {exc}") from exc
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"5003 {type(exc).__name__}: {exc}") from exc
    read_answer(resp.status_code, resp.text)


class WebhookAdapter(OutboundAdapter):
    kind = "webhook"
    sends_mapped = True

    def __init__(self, timeout: float = 10.0) -> None:
        self.http = pooled_http.Connections(timeout)

    def deliver(self, message: OutboundMessage) -> None:
        url = message.destination.endpoint_url
        if not url:
            raise DeliveryFailed(f"system {message.destination.id} has no endpoint URL", retryable=False)
        body = json.dumps(payload(message), ensure_ascii=False, default=str).encode("utf-8")
        resp = self.http.post(url, body, request_headers(body, message))
        read_answer(resp.status, resp.data.decode("utf-8", "replace"))

    def close(self) -> None:
        self.http.close()

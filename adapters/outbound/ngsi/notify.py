"""Delivery of NGSI-v2 notifications (``delivery_kind: ngsi``), as Orion sends them: POST
``{"subscriptionId", "data": [entity]}`` with the tenant in ``Fiware-Service``.

2xx counts as delivered; 408, 429 and 5xx and network errors are retried by the outbox with
backoff; other 4xx are permanent (dead letter).
"""

from __future__ import annotations

import json

import httpx

from broker.outbound import DeliveryFailed, OutboundAdapter, OutboundMessage


class NgsiNotifyAdapter(OutboundAdapter):
    kind = "ngsi"

    def __init__(self, timeout: float = 10.0) -> None:
        self.client = httpx.Client(timeout=timeout, headers={"user-agent": "chipla-hub"}, trust_env=False)

    def deliver(self, message: OutboundMessage) -> None:
        url = message.destination.endpoint_url
        if not url:
            raise DeliveryFailed(f"subscription system {message.destination.id} has no URL", retryable=False)
        normalized = any(isinstance(v, dict) and "value" in v and "type" in v
                         for e in message.body.get("data", []) for k, v in e.items() if k not in ("id", "type"))
        fmt = "normalized" if normalized else "keyValues"
        try:
            resp = self.client.post(url, content=json.dumps(message.body, ensure_ascii=False).encode("utf-8"),
                                    headers={"content-type": "application/json; charset=utf-8",
                                             "fiware-service": message.header.lg_code, "fiware-servicepath": "/",
                                             "ngsiv2-attrsformat": fmt, "idempotency-key": message.receipt_id})
        except httpx.TimeoutException as exc:
            raise DeliveryFailed(f"5004 timeout: {exc}") from exc
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"5003 {type(exc).__name__}: {exc}") from exc
        if resp.is_success:
            return
        retryable = resp.status_code >= 500 or resp.status_code in (408, 429)
        raise DeliveryFailed(f"HTTP {resp.status_code}: {resp.text[:300]}", retryable=retryable)

    def close(self) -> None:
        self.client.close()

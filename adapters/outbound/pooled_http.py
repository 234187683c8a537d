"""The HTTP client of the SOAP and webhook deliveries: urllib3's pooled keep-alive connections.

urllib3 directly costs about half the client CPU of httpx per request, and the delivering process
makes one request per delivery. It reads no proxy settings from the environment and follows no
redirect: endpoints are registered explicitly, and 個人情報 goes to the registered address only.
Transport failures become the delivery failures every adapter reports: 5004 for a timeout, 5003
for any other (a refused connection included: urllib3 files it under the connect timeouts).
"""

from __future__ import annotations

import urllib3

from broker.outbound import DeliveryFailed

USER_AGENT = "chipla-hub"


def pool(timeout: float, max_connections: int = 64) -> urllib3.PoolManager:
    return urllib3.PoolManager(num_pools=64, maxsize=max_connections, retries=False,
                               timeout=urllib3.Timeout(total=timeout))


def post(http: urllib3.PoolManager, url: str, body: bytes, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
    """POST ``body``; the answer whatever its status, or ``DeliveryFailed`` when none came."""
    try:
        return http.request("POST", url, body=body, redirect=False, headers={"user-agent": USER_AGENT, **headers})
    except urllib3.exceptions.NewConnectionError as exc:  # a subclass of the timeouts, but refused
        raise DeliveryFailed(f"5003 {type(exc).__name__}: {exc}") from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise DeliveryFailed(f"5004 timeout: {exc}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise DeliveryFailed(f"5003 {type(exc).__name__}: {exc}") from exc

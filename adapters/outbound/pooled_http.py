"""The HTTP client of the SOAP and webhook deliveries: keep-alive connections of the standard library.

The delivering process makes one request per delivery, so the client's CPU per request counts:
``http.client`` over a kept connection costs well under half of urllib3's pool manager per request
(URL parsing, pool keys, header containers and response wrapping are what it skips). Each sending
thread keeps one connection per endpoint (host and port); a connection the receiver closed while
idle is noticed before it is used again, and any failure drops the connection, so the next delivery
opens a fresh one. The timeout applies to the connect and to each read. No proxy settings are read
from the environment and no redirect is followed: endpoints are registered explicitly, and 個人情報
goes to the registered address only. Transport failures become the delivery failures every adapter
reports: 5004 for a timeout, 5003 for any other.
"""

from __future__ import annotations

import http.client
import select
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from broker.outbound import DeliveryFailed

USER_AGENT = "chipla-hub"


@dataclass(frozen=True)
class Answer:
    status: int
    data: bytes


@dataclass(frozen=True)
class _Endpoint:
    https: bool
    host: str
    port: int
    target: str  # path and query


class Connections:
    """Keep-alive connections per sending thread and endpoint."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._local = threading.local()
        self._endpoints: dict[str, _Endpoint] = {}
        self._all: set[http.client.HTTPConnection] = set()
        self._lock = threading.Lock()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """POST ``body``; the answer whatever its status, or ``DeliveryFailed`` when none came."""
        endpoint = self._endpoint(url)
        conn = self._connection(endpoint)
        try:
            conn.request("POST", endpoint.target, body=body, headers={"user-agent": USER_AGENT, **headers})
            resp = conn.getresponse()
            return Answer(resp.status, resp.read())
        except TimeoutError as exc:
            self._drop(endpoint, conn)
            raise DeliveryFailed(f"5004 timeout: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            self._drop(endpoint, conn)
            raise DeliveryFailed(f"5003 {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, set()
        for conn in conns:
            conn.close()

    def _endpoint(self, url: str) -> _Endpoint:
        found = self._endpoints.get(url)
        if found is None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise DeliveryFailed(f"endpoint {url!r} is not an http(s) URL", retryable=False)
            https = parts.scheme == "https"
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            found = self._endpoints[url] = _Endpoint(https, parts.hostname, parts.port or (443 if https else 80),
                                                     target)
        return found

    def _connection(self, endpoint: _Endpoint) -> http.client.HTTPConnection:
        mine: dict[_Endpoint, http.client.HTTPConnection] = self._local.__dict__.setdefault("conns", {})
        conn = mine.get(endpoint)
        if conn is not None and _closed_by_peer(conn):
            self._drop(endpoint, conn)
            conn = None
        if conn is None:
            kind = http.client.HTTPSConnection if endpoint.https else http.client.HTTPConnection
            conn = mine[endpoint] = kind(endpoint.host, endpoint.port, timeout=self.timeout)
            with self._lock:
                self._all.add(conn)
        return conn

    def _drop(self, endpoint: _Endpoint, conn: http.client.HTTPConnection) -> None:
        conn.close()
        self._local.__dict__.get("conns", {}).pop(endpoint, None)
        with self._lock:
            self._all.discard(conn)


def _closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """An idle kept connection has nothing to read; if it has, the receiver closed it (or broke the
    protocol): either way it is not used again."""
    sock = conn.sock
    if sock is None:
        return False  # not connected (yet, or closed after a "connection: close" answer): opened on use
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    try:
        return bool(poller.poll(0))
    except OSError:
        return True

"""The webhook delivery over its kept connections reads every answer as ``post_json`` does, signs for
a receiver with a secret, follows no redirect, tells a timeout from a refused connection, and replaces
a connection the receiver closed instead of failing on it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from adapters.outbound import webhook_signature
from adapters.outbound.webhook import WebhookAdapter
from broker.envelope import Header
from broker.outbound import DeliveryFailed, OutboundMessage
from broker.registry import SystemInfo
from simulators.loopback import free_port

SECRET = "kaigo-secret-0123456789"


class _Receiver(BaseHTTPRequestHandler):
    """Answers with the status named by the path (``/answer/409``); ``/slow`` takes its time; ``/once``
    closes the connection after answering, though the answer said nothing of it."""

    protocol_version = "HTTP/1.1"  # keep-alive
    seen: list[tuple[str, dict[str, str], bytes]] = []
    connections: set[int] = set()  # client ports

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers["content-length"]))
        _Receiver.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        _Receiver.connections.add(self.client_address[1])  # one client port per connection
        if self.path == "/slow":
            time.sleep(0.6)
        status = int(self.path.rsplit("/", 1)[-1]) if self.path.startswith("/answer/") else 200
        self.send_response(status)
        if status == 302:
            self.send_header("location", "/answer/200")
        self.send_header("content-length", "4")
        self.end_headers()
        self.wfile.write(b"nope")
        self.close_connection = self.path == "/once"

    def log_message(self, *_: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client that timed out has gone: nothing to report


@pytest.fixture
def receiver() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.seen.clear()
    _Receiver.connections.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _message(url: str, secret: str | None = None) -> OutboundMessage:
    kaigo = SystemInfo("kaigo", "介護保険", "243035", False, (), "webhook", url, None, None, None, True,
                       webhook_secret=secret)
    header = Header("6f1c1d54-6c61-4b5e-9a8e-0f2f4f6a7b01", "2026-11-29T10:00:00+09:00", "243035", "juki",
                    "jumin", "IdoTsuchi", "1.0")
    return OutboundMessage(7, "r-7", 2, header, {"ido": {"idoJiyu": "10"}}, {"@type": "活動型"}, kaigo)


def test_a_delivery_is_signed_and_carries_its_keys(receiver: str) -> None:
    adapter = WebhookAdapter(timeout=5)
    adapter.deliver(_message(f"{receiver}/answer/200", SECRET))
    _, headers, body = _Receiver.seen[-1]
    assert headers["idempotency-key"] == "r-7" and headers["x-chipla-attempt"] == "2"
    assert headers["user-agent"] == "chipla-hub"
    assert webhook_signature.verify(SECRET, headers, body) is None
    sent = json.loads(body)
    assert sent["imi"] == {"@type": "活動型"} and sent["ido"] == {"idoJiyu": "10"}
    assert sent["meta"]["messageId"] == "r-7"
    adapter.deliver(_message(f"{receiver}/answer/409"))  # the receiver already has it: delivered
    assert webhook_signature.SIGNATURE_HEADER not in _Receiver.seen[-1][1]
    adapter.close()


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (408, True),
                                                   (400, False), (403, False), (302, False)])
def test_answers_are_read_as_for_every_webhook(receiver: str, status: int, retryable: bool) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        WebhookAdapter(timeout=5).deliver(_message(f"{receiver}/answer/{status}"))
    assert failed.value.retryable is retryable and f"HTTP {status}" in failed.value.detail
    assert [path for path, _, _ in _Receiver.seen] == [f"/answer/{status}"]  # no redirect followed


def test_a_timeout_and_a_refused_connection_are_retried(receiver: str) -> None:
    with pytest.raises(DeliveryFailed) as slow:
        WebhookAdapter(timeout=0.2).deliver(_message(f"{receiver}/slow"))
    assert slow.value.retryable and slow.value.detail.startswith("5004")
    with pytest.raises(DeliveryFailed) as refused:
        WebhookAdapter(timeout=1).deliver(_message(f"http://127.0.0.1:{free_port()}/h"))
    assert refused.value.retryable and refused.value.detail.startswith("5003")


def test_a_kept_connection_is_used_again_and_one_the_receiver_closed_is_replaced(receiver: str) -> None:
    adapter = WebhookAdapter(timeout=5)
    for _ in range(3):
        adapter.deliver(_message(f"{receiver}/answer/200"))
    assert len(_Receiver.connections) == 1  # one connection for the three
    adapter.deliver(_message(f"{receiver}/once"))
    time.sleep(0.1)  # the receiver has closed it by now
    adapter.deliver(_message(f"{receiver}/answer/200"))
    assert len(_Receiver.seen) == 5 and len(_Receiver.connections) == 2
    adapter.close()

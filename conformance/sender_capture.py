"""Sender role: start the kit's loopback hub, ask the sender to deliver to it, wait, collect.

Trigger convention (README): ``POST <trigger-url>`` with JSON ``{"target": "<kit url>/soap/jumin",
"count": n}``; the sender then delivers n 住民異動通知 to the target with its usual credentials.
Without a trigger URL the kit only waits, and the vendor starts the sending by hand.
"""

from __future__ import annotations

import time

from conformance.client import KitClient
from conformance.kit_hub import Delivery, Inbox, create_app
from conformance.options import KitOptions
from conformance.server import ThreadedServer

GRACE_SECONDS = 0.3


def capture(options: KitOptions, client: KitClient) -> list[Delivery]:
    host, _, port = options.listen.rpartition(":")
    inbox = Inbox()
    server = ThreadedServer(create_app(inbox), host or "127.0.0.1", int(port or 0)).start()
    try:
        target = f"{server.url}/soap/{options.service}"
        if options.trigger_url:
            client.post_json(options.trigger_url, {"target": target, "count": options.expect_count},
                             label="送信依頼 (trigger)")
        deadline = time.monotonic() + options.wait_seconds
        while time.monotonic() < deadline:
            if options.trigger_url and len(inbox.snapshot()) >= options.expect_count:
                time.sleep(GRACE_SECONDS)
                break
            time.sleep(0.05)
        return inbox.snapshot()
    finally:
        server.stop()

"""How a simulated receiving system checks the hub's UsernameToken on a delivery.

One place for every simulated receiver, so each keys its replay check on the nonce's bytes (as the
hub does) rather than on the text as sent, which a re-spelled nonce would slip past.
"""

from __future__ import annotations

import threading

from adapters.soap import envelope, wsse
from broker.errors import NotAllowed
from broker.security import usernametoken


def check_hub_token(req: envelope.SoapRequest, username: str, password: str, seen: set[str],
                    lock: threading.Lock) -> None:
    """Right user, valid digest and fresh Created, and a nonce not seen before."""
    token = wsse.read_token(req.security)
    if token.username != username:
        raise NotAllowed("unknown user", code="authentication_failed")
    verified = usernametoken.verify(token, password)
    with lock:
        if verified.nonce_key in seen:
            raise NotAllowed("replayed token", code="token_replayed")
        seen.add(verified.nonce_key)

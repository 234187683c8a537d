"""The embedded SMTP server of ``chipla demo`` and the tests: a real SMTP conversation (aiosmtpd),
every accepted mail written to a Maildir folder where the console's inbox page reads it.

It accepts mail for any address and relays nothing: a sink, never an open relay.
"""

from __future__ import annotations

import contextlib
import mailbox
import socket
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

MAX_MAIL_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Received:
    at: float  # time.time() when the sink accepted the mail
    raw: bytes
    recipients: tuple[str, ...]
    smtputf8: bool

    def parsed(self) -> EmailMessage:
        return parse(self.raw)


def parse(raw: bytes) -> EmailMessage:
    """Parse a received mail; UTF-8 headers (RFC 6532, sent with SMTPUTF8) are read as UTF-8."""
    message: object
    try:
        message = Parser(policy=policy.default).parsestr(raw.decode("utf-8")) if not raw.isascii() else None
    except UnicodeDecodeError:
        message = None
    if message is None:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.sink._accept(Received(time.time(), raw, tuple(envelope.rcpt_tos), "SMTPUTF8" in envelope.mail_options))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailSink:
    def __init__(self, folder: Path, port: int | None = None, keep_in_memory: int = 200_000) -> None:
        self.folder = Path(folder)
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.keep = keep_in_memory
        self.received: list[Received] = []
        self._cond = threading.Condition()
        self._maildir = mailbox.Maildir(self.folder, create=True)
        for sub in ("tmp", "new", "cur"):  # a folder made by hand lacks them, and Maildir only makes new ones
            (self.folder / sub).mkdir(exist_ok=True)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      enable_SMTPUTF8=True, data_size_limit=MAX_MAIL_BYTES)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(AssertionError, RuntimeError):  # already stopped
            self._controller.stop()

    def _accept(self, mail: Received) -> None:
        self._maildir.add(mail.raw)
        with self._cond:
            self.received.append(mail)
            if len(self.received) > self.keep:
                del self.received[: len(self.received) - self.keep]
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """At least ``count`` mails received (or as many as came before the timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.received)

    def to(self, address: str) -> list[EmailMessage]:
        with self._cond:
            mails = list(self.received)
        return [m.parsed() for m in mails if address in m.recipients]


def inbox(folder: Path, limit: int = 200) -> list[dict[str, Any]]:
    """The newest mails of a Maildir, for the console's inbox page."""
    box = mailbox.Maildir(folder, create=False)
    entries: list[tuple[float, str]] = []
    for key in box.iterkeys():
        entries.append((box.get_message(key).get_date(), key))
    out = []
    for _, key in sorted(entries, reverse=True)[:limit]:
        with box.get_file(key) as f:
            m = parse(f.read())
        body = m.get_body(preferencelist=("plain",))
        out.append({"key": key, "subject": str(m["subject"] or ""), "to": str(m["to"] or ""),
                    "from": str(m["from"] or ""), "date": str(m["date"] or ""),
                    "listUnsubscribe": str(m["list-unsubscribe"] or ""),
                    "text": body.get_content() if body is not None else ""})
    return out

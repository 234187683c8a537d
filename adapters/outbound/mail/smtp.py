"""The outbound mail adapter: one SMTP transaction per notice, the connection kept per thread.

``CHIPLA_SMTP_URL`` names the server: ``smtp://[user:password@]host[:port]`` (STARTTLS when the
server offers it; ``?starttls=require`` refuses to send in clear), ``smtps://`` (TLS from the first
byte, port 465). Replies map onto the outbox's retry policy: 4xx and connection failures are retried
with backoff, 5xx is permanent (dead letter at once), as RFC 5321 means them.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from adapters.outbound.mail.compose import Links, MailHooks, compose
from broker.outbound import DeliveryFailed, OutboundAdapter, OutboundMessage


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    starttls: str  # "opportunistic" | "require" | "never"
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"CHIPLA_SMTP_URL must read smtp://host:port or smtps://host:port, not {url!r}")
        mode = parse_qs(parts.query).get("starttls", ["opportunistic"])[0]
        if mode not in ("opportunistic", "require", "never"):
            raise ValueError("CHIPLA_SMTP_URL: starttls must be opportunistic, require or never")
        implicit = parts.scheme == "smtps"
        return cls(parts.hostname, parts.port or (465 if implicit else 25), implicit, mode,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)

    def __repr__(self) -> str:  # never the password
        return f"SmtpTarget({self.host}:{self.port}, tls={'implicit' if self.implicit_tls else self.starttls})"


class MailAdapter(OutboundAdapter):
    kind = "mail"

    def __init__(self, target: SmtpTarget, hooks: MailHooks, sender: str, timeout: float = 10.0,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.target = target
        self.hooks = hooks
        self.sender = sender
        self.timeout = timeout
        self.tls = tls_context or ssl.create_default_context()
        self._local = threading.local()
        self._all: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self.on_close: Callable[[], None] | None = None  # e.g. stop the embedded sink with the hub

    def deliver(self, message: OutboundMessage) -> None:
        notice = message.body.get("notice")
        if not isinstance(notice, dict):
            raise DeliveryFailed("not a notice", retryable=False)
        if not self.hooks.wanted(notice):
            self.hooks.sent(int(notice["id"]), "suppressed")
            return
        mail = compose(notice, Links(*self.hooks.links(notice)), self.hooks.sender_name(notice["lgCode"]), self.sender)
        self._send(mail)
        self.hooks.sent(int(notice["id"]), "sent")

    def _send(self, mail: object, retry_connection: bool = True) -> None:
        try:
            conn = self._connection()
            conn.send_message(mail)  # type: ignore[arg-type]
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryFailed(f"recipient refused ({codes})", retryable=all(c < 500 for c in codes)) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryFailed(f"server cannot take this address: {exc}", retryable=False) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            if retry_connection:
                self._send(mail, retry_connection=False)
                return
            raise DeliveryFailed(f"5003 SMTP server disconnected: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise DeliveryFailed(f"SMTP {exc.smtp_code}", retryable=exc.smtp_code < 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise DeliveryFailed(f"5003 SMTP {type(exc).__name__}") from exc

    def _connection(self) -> smtplib.SMTP:
        conn: smtplib.SMTP | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        t = self.target
        if t.implicit_tls:
            conn = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=self.tls)
        else:
            conn = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
        conn.ehlo()
        if not t.implicit_tls and t.starttls != "never":
            if conn.has_extn("starttls"):
                conn.starttls(context=self.tls)
                conn.ehlo()
            elif t.starttls == "require":
                conn.close()
                raise DeliveryFailed("the SMTP server does not offer STARTTLS (starttls=require)")
        if t.username:
            conn.login(t.username, t.password or "")
        self._local.conn = conn
        with self._lock:
            self._all.append(conn)
        return conn

    def _drop(self) -> None:
        conn: smtplib.SMTP | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        if self.on_close is not None:
            self.on_close()
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                conn.quit()

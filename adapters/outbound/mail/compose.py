"""A notice as an Internet message: Japanese subject and names, text and HTML, one-click unsubscribe.

Headers with Japanese text are encoded by the standard library's ``email`` policy as RFC 2047
encoded-words (UTF-8); an address whose local part is not ASCII needs SMTPUTF8 (RFC 6531/6532),
which ``smtplib`` asks for when the server offers it. Every mail carries ``List-Unsubscribe`` with an
HTTPS (or, in the demo, HTTP) link and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058),
so a mail program can unsubscribe with one POST and no page to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Protocol

from broker.clock import now


@dataclass(frozen=True)
class Links:
    unsubscribe: str
    manage: str


class MailHooks(Protocol):
    """What the adapter asks the notification service at sending time."""

    def wanted(self, notice: dict[str, Any]) -> bool:
        """False when the address was unsubscribed or erased after the notice was queued."""

    def links(self, notice: dict[str, Any]) -> tuple[str, str]:
        """(one-click unsubscribe URL, manage URL) for the notice's subscriber."""

    def sender_name(self, lg_code: str) -> str: ...

    def sent(self, notice_id: int, status: str) -> None: ...


def _address(addr_spec: str, display_name: str = "") -> Address:
    local, _, domain = addr_spec.rpartition("@")
    return Address(display_name=display_name, username=local, domain=domain)


def compose(notice: dict[str, Any], links: Links, sender_name: str, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = notice["subject"]
    msg["From"] = _address(sender, sender_name)
    msg["To"] = _address(notice["to"])
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = make_msgid(idstring=f"notice-{notice['id']}", domain=sender.rpartition("@")[2])
    msg["List-Unsubscribe"] = f"<{links.unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Chipla-Notice"] = str(notice["id"])
    if notice.get("urgent"):
        msg["Importance"] = "high"
    footer = f"\n--\n{sender_name}\n配信停止: {links.unsubscribe}\n登録内容の確認・変更: {links.manage}\n"
    msg.set_content(notice["text"] + footer, charset="utf-8")
    html = (f"<!doctype html><html lang=\"ja\"><meta charset=\"utf-8\"><body>{notice['html']}"
            f"<hr><p style=\"font-size:small\">{_esc(sender_name)}<br>"
            f"<a href=\"{_esc(links.unsubscribe)}\">配信停止</a> ・ "
            f"<a href=\"{_esc(links.manage)}\">登録内容の確認・変更</a></p></body></html>")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")

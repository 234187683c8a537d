"""Residents' side of お知らせメール: subscribe, confirm, one-click unsubscribe, view/change/delete.

No API key: the person is identified by the signed token of a link mailed to them. Pages reached
from a mail (confirm, unsubscribe) answer GET with a button only, so a link scanner that opens them
changes nothing; the change is the POST (RFC 8058 one-click for unsubscribe).
"""

from __future__ import annotations

import html
from typing import Any

from connexion.lifecycle import ConnexionResponse

from adapters.inbound.rest.context import current_hub
from adapters.inbound.rest.registry import _run
from broker.errors import HubError
from broker.services.notify.service import NotifyService

ACCEPTED = {"accepted": True, "message": "受け付けました。登録されたアドレスにメールをお送りします。"}


def service() -> NotifyService:
    found = getattr(current_hub(), "notify_service", None)
    if not isinstance(found, NotifyService):
        raise HubError("お知らせメールは構成されていません")
    return found


async def subscribe(body: dict[str, Any]) -> ConnexionResponse:
    def work() -> Any:
        service().subscribe(body["lgCode"], body["email"], body["topics"])
        return ACCEPTED
    return await _run(work, 202)


async def manage_link(body: dict[str, Any]) -> ConnexionResponse:
    def work() -> Any:
        service().request_manage_link(body["lgCode"], body["email"])
        return ACCEPTED
    return await _run(work, 202)


def _button_page(title: str, action: str, token: str, label: str) -> ConnexionResponse:
    page = (f"<!doctype html><html lang=\"ja\"><meta charset=\"utf-8\"><title>{title}</title>"
            f"<body style=\"font-family:sans-serif;margin:2em\"><h1>{title}</h1>"
            f"<form method=\"post\" action=\"{action}?token={html.escape(token)}\">"
            f"<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
            f"<button type=\"submit\" style=\"font-size:1.3em;padding:.5em 1.5em\">{label}</button>"
            f"</form></body></html>")
    return ConnexionResponse(status_code=200, mimetype="text/html", content_type="text/html; charset=utf-8",
                             body=page)


async def confirm_page(token: str) -> ConnexionResponse:
    return _button_page("お知らせメールの登録確認", "/api/v1/notify/confirm", token, "登録を確定する")


async def confirm(token: str) -> ConnexionResponse:
    return await _run(lambda: service().confirm(token))


async def unsubscribe_page(token: str) -> ConnexionResponse:
    return _button_page("お知らせメールの配信停止", "/api/v1/notify/unsubscribe", token, "配信を停止する")


async def unsubscribe(token: str, body: Any = None, **_form: Any) -> ConnexionResponse:
    def work() -> Any:
        service().unsubscribe(token)
        return {"status": "unsubscribed"}
    return await _run(work)


async def export_me(token: str) -> ConnexionResponse:
    return await _run(lambda: service().export(token))


async def put_my_topics(token: str, body: dict[str, Any]) -> ConnexionResponse:
    return await _run(lambda: service().set_topics(token, body["topics"]))


async def erase_me(token: str) -> ConnexionResponse:
    return await _run(lambda: service().erase(token))

"""The demo inbox at ``/console/mail/``: what the embedded SMTP sink received, newest first.

Served only when the hub runs its own sink (``CHIPLA_SMTP_URL=embedded``, the demo and the tests):
with a real SMTP relay the mail is the recipients' and the hub shows none of it.
"""

from __future__ import annotations

import html
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.outbound.mail.sink import inbox
from chipla.notify import runtime_of
from chipla.wiring import Parts

PAGE_HEAD = """<!doctype html><html lang="ja"><meta charset="utf-8"><title>デモ受信箱 — chipla</title>
<meta http-equiv="refresh" content="5">
<style>body{font-family:sans-serif;margin:2em;max-width:60em}article{border:1px solid #ccc;margin:1em 0;
padding:.5em 1em}h2{font-size:1.05em;margin:.3em 0}pre{white-space:pre-wrap}small{color:#555}</style>
<h1>デモ受信箱（埋め込み SMTP サーバー）</h1><p>{count} 通。5 秒ごとに更新します。</p>"""


def inbox_routes(parts: Parts) -> list[BaseRoute]:
    def mails(limit: int) -> list[dict[str, Any]]:
        runtime = runtime_of(parts.hub)
        if runtime is None or runtime.sink is None:
            return []
        return inbox(runtime.sink.folder, limit)

    def enabled() -> bool:
        runtime = runtime_of(parts.hub)
        return runtime is not None and runtime.sink is not None

    async def page(_: Request) -> Response:
        if not enabled():
            return HTMLResponse("<p>埋め込み SMTP サーバーは使われていません。</p>", status_code=404)
        items = await run_in_threadpool(mails, 100)
        body = [PAGE_HEAD.replace("{count}", str(len(items)))]
        for m in items:
            body.append(f"<article><h2>{html.escape(m['subject'])}</h2><small>{html.escape(m['date'])} — "
                        f"宛先 {html.escape(m['to'])} — 差出人 {html.escape(m['from'])}</small>"
                        f"<pre>{html.escape(m['text'])}</pre>"
                        f"<small>List-Unsubscribe: {html.escape(m['listUnsubscribe'])}</small></article>")
        return HTMLResponse("".join(body))

    async def api(_: Request) -> Response:
        if not enabled():
            return JSONResponse({"title": "埋め込み SMTP サーバーは使われていません", "status": 404, "code": "3004"},
                                status_code=404, media_type="application/problem+json")
        return JSONResponse(await run_in_threadpool(mails, 500))

    return [Route("/console/mail/", page), Route("/console/mail/api", api)]

"""SOAP workbench for integration engineers: a valid sample request for any operation, edited in the
browser, sent to the hub's own SOAP door with a registered system's WS-Security credentials; the raw
answer is shown with its 結果コード explained.

Sending is an operator's action and is audited. Credentials never reach the page: the Security
header is added on the server just before sending (a fresh nonce and timestamp each time).
"""

from __future__ import annotations

from typing import Any

import httpx
from lxml import etree
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.inbound.console.core import ConsoleCore, Denied
from adapters.inbound.console.masking import pretty
from adapters.soap import wsse, xmlsafe
from broker import audit
from broker.errors import HubError
from broker.result_codes import table

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


def routes(core: ConsoleCore) -> list[BaseRoute]:
    deps = core.deps
    operations = {f"{o.service}/{o.operation}": o for o in deps.soap_operations}

    def senders() -> list[Any]:
        snap = deps.registry.snapshot()
        return sorted((s for s in snap.systems.values() if s.wss_username and s.wss_secret and s.active),
                      key=lambda s: s.id)

    def _page(request: Request, user: Any, chosen: str, text: str, **extra: Any) -> Response:
        return core.page(request, "workbench.html", user, title="SOAP ワークベンチ", operations=list(operations),
                         chosen=chosen, text=text, senders=senders(), **extra)

    async def show(request: Request) -> Response:
        user = await core.require(request)
        chosen = request.query_params.get("op", "") or next(iter(operations), "")
        op = operations.get(chosen)
        text = ""
        if op is not None:
            text = (await run_in_threadpool(op.sample)).decode("utf-8")
        return _page(request, user, chosen, text, sender=request.query_params.get("sender", ""))

    async def send(request: Request) -> Response:
        user = await core.require(request, "operator")
        form = await core.form(request)
        chosen, text, sender_id = form.get("op", ""), form.get("request", ""), form.get("sender", "")
        op = operations.get(chosen)
        system = next((s for s in senders() if s.id == sender_id), None)
        if op is None or system is None:
            raise Denied("操作と送信システムを選んでください")
        try:
            root = xmlsafe.parse(text.encode("utf-8"), deps.max_message_bytes)
        except HubError as exc:
            return _page(request, user, chosen, text, sender=sender_id, error=f"送信できません: {exc.message}")
        header = root.find(f"{{{SOAP11}}}Header")
        if header is None:
            header = etree.Element(f"{{{SOAP11}}}Header")
            root.insert(0, header)
        for old in header.findall(f"{{{wsse.WSSE}}}Security"):
            header.remove(old)
        assert system.wss_username and system.wss_secret
        header.insert(0, wsse.build_security(system.wss_username, system.wss_secret))
        body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        url = f"{str(request.base_url).rstrip('/')}/soap/{op.service}"
        async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
            answer = await client.post(url, content=body, headers={
                "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{op.operation}"'})

        def _record() -> None:
            with deps.store.write() as s:
                audit.append(s, user.username, "console.workbench_sent", chosen,
                             {"as": system.id, "status": answer.status_code})
        await run_in_threadpool(_record)
        code = result_code(answer.content)
        explained = table().get(code) if code else None
        return _page(request, user, chosen, text, sender=sender_id, status_code=answer.status_code,
                     response=pretty(answer.content, answer.headers.get("content-type", ""), op.service, masked=False),
                     code=code, explained=explained)

    return [
        Route("/workbench", core.guard(show), methods=["GET"]),
        Route("/workbench/send", core.guard(send), methods=["POST"]),
    ]


def result_code(answer: bytes) -> str:
    """The 結果コード of an answer: ``result/code`` of a response, or the code in a Fault's detail."""
    try:
        root = etree.fromstring(answer, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return ""
    for elem in root.iter():
        if isinstance(elem.tag, str) and etree.QName(elem).localname in ("code", "resultCode") and elem.text:
            value = elem.text.strip()
            if len(value) == 4 and value.isdigit():
                return value
    return ""

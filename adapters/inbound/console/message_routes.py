"""The message browser, the detail pages and the operator's actions on them.

Looking at a message unmasked is an action like any other: the operator gives a reason, the audit
chain records who looked at what and why, and only that one answer carries the unmasked fields.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.inbound.console import detail, masking, search
from adapters.inbound.console.core import ConsoleCore, Denied
from adapters.inbound.console.reprocess import reprocess
from broker import audit, deadletter
from broker.errors import HubError
from broker.operators import OperatorUser

MIN_REASON = 4


def routes(core: ConsoleCore) -> list[BaseRoute]:
    deps = core.deps

    def _audit(actor: str, action: str, subject: str, detail_: dict[str, Any]) -> None:
        with deps.store.write() as s:
            audit.append(s, actor, action, subject, detail_)

    async def browse(request: Request) -> Response:
        user = await core.require(request)
        values: dict[str, str] = dict(request.query_params)
        if request.method == "POST":
            values = await core.form(request)
        else:
            values.pop("subject_key", None)  # never from a URL: it would end up in logs and history
        filters = search.Filters.parse(values)
        page = await run_in_threadpool(search.search, deps.store, filters)
        for row in page.rows:
            if "subject_key" in row:
                row["subject"] = masking.fingerprint(deps.secret, row.pop("subject_key"))
        return core.page(request, "messages.html", user, title="電文の検索", f=filters, page=page,
                         kinds=search.KINDS, statuses=search.STATUSES)

    async def _show(request: Request, user: OperatorUser, receipt_id: str, *, masked: bool,
                    **extra: Any) -> Response:
        view = await run_in_threadpool(detail.message, deps.store, receipt_id, masked=masked,
                                       catch_up=deps.hub.deriver.catch_up)
        if view is None:
            return core.page(request, "error.html", user, status=404, title="見つかりません",
                             message=f"受付番号 {receipt_id} の電文はありません")
        versions = deps.mapping_versions()
        return core.page(request, "message.html", user, title=f"電文 {receipt_id}", m=view, versions=versions,
                         **extra)

    async def show(request: Request) -> Response:
        user = await core.require(request)
        notice = {"retried": "再送を予約しました。配信状況はこのページを再読み込みして確認できます。"}.get(
            request.query_params.get("done", ""), "")
        return await _show(request, user, request.path_params["receipt_id"], masked=True, notice=notice)

    async def unmask(request: Request) -> Response:
        user = await core.require(request, "operator")
        form = await core.form(request)
        receipt_id = request.path_params["receipt_id"]
        reason = form.get("reason", "").strip()
        if len(reason) < MIN_REASON:
            return await _show(request, user, receipt_id, masked=True,
                               error=f"表示する理由を {MIN_REASON} 文字以上で入力してください")
        await run_in_threadpool(_audit, user.username, "console.unmasked", receipt_id, {"reason": reason[:200]})
        return await _show(request, user, receipt_id, masked=False, notice="個人情報を表示しています (記録済み)")

    async def replay(request: Request) -> Response:
        user = await core.require(request, "operator")
        form = await core.form(request)
        receipt_id = request.path_params["receipt_id"]
        if deps.replay is None:
            raise Denied("この構成では再生できません")
        mapping_id, version = form.get("mapping_id", ""), form.get("version", "")
        view = await run_in_threadpool(detail.message, deps.store, receipt_id, masked=True,
                                       catch_up=deps.hub.deriver.catch_up)
        if view is None:
            raise Denied("電文がありません")
        try:
            diff = await run_in_threadpool(deps.replay, view.seq, mapping_id, version)
        except (KeyError, ValueError) as exc:
            return await _show(request, user, receipt_id, masked=True, error=f"再生できません: {exc}")
        await run_in_threadpool(_audit, user.username, "console.replayed", receipt_id,
                                {"mappingId": mapping_id, "version": version, "changes": len(diff.changes)})
        changes = [(kind, path, masking.MASK if old is not None else None, masking.MASK if new is not None else None)
                   for kind, path, old, new in diff.changes]
        return await _show(request, user, receipt_id, masked=True, diff=diff, diff_rows=changes,
                           replayed=(mapping_id, version))

    async def retry(request: Request) -> Response:
        user = await core.require(request, "operator")
        form = await core.form(request)
        delivery_id = request.path_params["delivery_id"]
        receipt_id = form.get("receipt_id", "")
        try:
            destination = await run_in_threadpool(deadletter.retry_one, deps.store, delivery_id, user.username)
        except HubError as exc:
            raise Denied(exc.message) from exc
        deps.hub.wake([destination])
        return RedirectResponse(f"/console/messages/{receipt_id}?done=retried", status_code=303)

    async def _quarantine(request: Request, user: OperatorUser, qid: int, *, masked: bool,
                          **extra: Any) -> Response:
        view = await run_in_threadpool(detail.quarantined, deps.store, qid, masked=masked)
        if view is None:
            return core.page(request, "error.html", user, status=404, title="見つかりません",
                             message=f"隔離番号 {qid} はありません")
        return core.page(request, "quarantine.html", user, title=f"隔離 {qid}", q=view, **extra)

    async def quarantine(request: Request) -> Response:
        user = await core.require(request)
        return await _quarantine(request, user, request.path_params["qid"], masked=True)

    async def quarantine_unmask(request: Request) -> Response:
        user = await core.require(request, "operator")
        form = await core.form(request)
        qid = request.path_params["qid"]
        reason = form.get("reason", "").strip()
        if len(reason) < MIN_REASON:
            return await _quarantine(request, user, qid, masked=True,
                                     error=f"表示する理由を {MIN_REASON} 文字以上で入力してください")
        await run_in_threadpool(_audit, user.username, "console.unmasked", f"quarantine:{qid}",
                                {"reason": reason[:200]})
        return await _quarantine(request, user, qid, masked=False, reason=reason,
                                 notice="個人情報を表示しています (記録済み)。修正して再処理できます。")

    async def reprocess_one(request: Request) -> Response:
        user = await core.require(request, "operator")
        form = await core.form(request)
        qid = request.path_params["qid"]
        view = await run_in_threadpool(detail.quarantined, deps.store, qid, masked=True)
        if view is None:
            raise Denied("隔離電文がありません")
        corrected = form.get("corrected", "").encode("utf-8")
        try:
            receipt_id = await run_in_threadpool(reprocess, deps.hub, qid, view.sender, corrected, user.username,
                                                 form.get("reason", ""), deps.max_message_bytes)
        except HubError as exc:
            await run_in_threadpool(_audit, user.username, "console.reprocess_refused", f"quarantine:{qid}",
                                    {"code": exc.result.code})
            return await _quarantine(request, user, qid, masked=False, reason=form.get("reason", ""),
                                     corrected=form.get("corrected", ""),
                                     error=f"再処理できません ({exc.result.code} {exc.result.ja}): {exc.message}")
        return RedirectResponse(f"/console/messages/{receipt_id}", status_code=303)

    return [
        Route("/messages", core.guard(browse), methods=["GET", "POST"]),
        Route("/messages/{receipt_id}", core.guard(show), methods=["GET"]),
        Route("/messages/{receipt_id}/unmask", core.guard(unmask), methods=["POST"]),
        Route("/messages/{receipt_id}/replay", core.guard(replay), methods=["POST"]),
        Route("/deliveries/{delivery_id:int}/retry", core.guard(retry), methods=["POST"]),
        Route("/quarantine/{qid:int}", core.guard(quarantine), methods=["GET"]),
        Route("/quarantine/{qid:int}/unmask", core.guard(quarantine_unmask), methods=["POST"]),
        Route("/quarantine/{qid:int}/reprocess", core.guard(reprocess_one), methods=["POST"]),
    ]

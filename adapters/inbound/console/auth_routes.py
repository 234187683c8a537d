"""Sign-in, sign-out, and user management by admins (the CLI does the same: ``chipla console user``)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.inbound.console.core import ConsoleCore, Denied
from broker import audit
from broker.operators import ROLES, UnknownUser, WeakPassword


def routes(core: ConsoleCore) -> list[BaseRoute]:
    ops = core.deps.operators

    def _audit(actor: str, action: str, subject: str) -> None:
        with core.deps.store.write() as s:
            audit.append(s, actor, action, subject)

    async def login_form(request: Request) -> Response:
        if await core.user(request) is not None:
            return RedirectResponse("/console/", status_code=303)
        return core.page(request, "login.html", None, title="サインイン")

    async def login(request: Request) -> Response:
        try:
            form = await core.form(request)
        except Denied as exc:
            return core.page(request, "login.html", None, status=403, title="サインイン", error=exc.message)
        username = form.get("username", "").strip()[:64]
        user = await run_in_threadpool(ops.authenticate, username, form.get("password", "")[:1024])
        if user is None:
            await run_in_threadpool(_audit, "console", "console.signin_failed", username or "(empty)")
            return core.page(request, "login.html", None, status=401, title="サインイン",
                             error="ユーザー名またはパスワードが違います", username=username)
        await run_in_threadpool(_audit, user.username, "console.signed_in", user.username)
        response = RedirectResponse("/console/", status_code=303)
        core.sessions.start(request, response, user.username)
        return response

    async def logout(request: Request) -> Response:
        user = await core.require(request)
        await core.form(request)
        await run_in_threadpool(_audit, user.username, "console.signed_out", user.username)
        response = RedirectResponse("/console/login", status_code=303)
        core.sessions.end(response)
        return response

    async def users(request: Request) -> Response:
        user = await core.require(request, "admin")
        message = error = ""
        if request.method == "POST":
            form = await core.form(request)
            action, name = form.get("action", ""), form.get("username", "").strip()
            try:
                if action == "add":
                    await run_in_threadpool(lambda: ops.add(name, form.get("password", ""), form.get("role", ""),
                                                            display_name=form.get("display_name", ""),
                                                            actor=user.username))
                    message = f"{name} を追加しました"
                elif action == "remove":
                    if name == user.username:
                        raise WeakPassword("自分自身は削除できません")
                    await run_in_threadpool(ops.remove, name, actor=user.username)
                    message = f"{name} を削除しました"
                elif action == "passwd":
                    await run_in_threadpool(ops.set_password, name, form.get("password", ""), actor=user.username)
                    message = f"{name} のパスワードを変更しました"
                elif action == "role":
                    await run_in_threadpool(ops.set_role, name, form.get("role", ""), actor=user.username)
                    message = f"{name} の役割を変更しました"
                else:
                    error = "不明な操作です"
            except (WeakPassword, UnknownUser) as exc:
                error = f"できませんでした: {exc}"
        listed = await run_in_threadpool(ops.list)
        return core.page(request, "users.html", user, title="コンソール利用者", users=listed, all_roles=ROLES,
                         message=message, error=error, status=400 if error else 200)

    return [
        Route("/login", core.guard(login_form), methods=["GET"]),
        Route("/login", core.guard(login), methods=["POST"]),
        Route("/logout", core.guard(logout), methods=["POST"]),
        Route("/users", core.guard(users), methods=["GET", "POST"]),
    ]

"""What every console handler shares: who is signed in, role checks, CSRF-checked forms, rendering.

Handlers raise :class:`Denied` or :class:`SignInNeeded`; ``guard`` turns them into the answer a
browser understands (a 403 page, or a redirect to the sign-in form).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adapters.inbound.console.deps import ConsoleDeps
from adapters.inbound.console.render import Renderer
from adapters.inbound.console.session import Sessions
from broker.operators import OperatorUser

ROLE_LABELS = {"viewer": "閲覧者", "operator": "運用者", "admin": "管理者"}
MAX_FORM_BYTES = 2 * 1024 * 1024


class SignInNeeded(Exception):
    """No valid session: the browser is sent to the sign-in form."""


class Denied(Exception):
    """Signed in, but the role does not allow this, or the form's CSRF token is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Handler = Callable[[Request], Awaitable[Response]]


class ConsoleCore:
    def __init__(self, deps: ConsoleDeps) -> None:
        self.deps = deps
        self.sessions = Sessions(deps.secret)
        self.renderer = Renderer(self.sessions)

    async def user(self, request: Request) -> OperatorUser | None:
        session = self.sessions.read(request)
        if session is None:
            return None
        user = await run_in_threadpool(self.deps.operators.get, session.username)
        return user if user is not None and user.active else None

    async def require(self, request: Request, role: str = "viewer") -> OperatorUser:
        user = await self.user(request)
        if user is None:
            raise SignInNeeded()
        if not user.can(role):
            raise Denied(f"この操作には{ROLE_LABELS[role]}以上の権限が必要です")
        return user

    async def form(self, request: Request) -> dict[str, str]:
        """The posted form, after its CSRF token was checked (every POST of the console has one)."""
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            raise Denied("送信内容が大きすぎます")
        data = await request.form(max_files=0, max_fields=100)
        values = {k: v for k, v in data.items() if isinstance(v, str)}
        if not self.sessions.csrf_ok(request, values.get("csrf", "")):
            raise Denied("フォームの有効期限が切れたか、不正な送信です (CSRF)。ページを開き直してください")
        return values

    def page(self, request: Request, template: str, user: OperatorUser | None, *, status: int = 200,
             **context: Any) -> Response:
        return self.renderer.page(request, template, user, status=status, roles=ROLE_LABELS, **context)

    def guard(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded:
                return RedirectResponse("/console/login", status_code=303)
            except Denied as exc:
                return self.page(request, "error.html", await self.user(request), status=403,
                                 title="許可されていません", message=exc.message)
        return guarded

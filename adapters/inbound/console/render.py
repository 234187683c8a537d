"""Server-rendered pages: one Jinja2 environment (autoescaped), the JST filter, security headers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from adapters.inbound.console.session import Sessions
from adapters.inbound.console.stats import bars
from broker.clock import as_jst
from broker.operators import OperatorUser

TEMPLATES = Path(__file__).resolve().parent / "templates"

# No inline script or style anywhere: the policy allows only the console's own files.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def jst(value: datetime | str | None) -> str:
    """Every time on the console: JST wall time with its offset, to the second."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_jst(value).strftime("%Y-%m-%d %H:%M:%S +09:00")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["jst"] = jst
    env.globals["bars"] = bars
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


class Renderer:
    def __init__(self, sessions: Sessions) -> None:
        self.env = _environment()
        self.sessions = sessions

    def page(self, request: Request, template: str, user: OperatorUser | None, *, status: int = 200,
             **context: Any) -> HTMLResponse:
        token, fresh = self.sessions.csrf_token(request)
        html = self.env.get_template(template).render(user=user, csrf=token, path=request.url.path, **context)
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        if fresh is not None:
            self.sessions.set_presession(request, response, fresh)
        return response

"""A CKAN-compatible read API over a published folder (``/api/3/action/package_list``,
``package_show``, ``package_search``), answering with CKAN's envelope — ``{"help", "success",
"result"}`` or ``{"help", "success": false, "error": {"__type", "message"}}`` and CKAN's status codes —
so a CKAN harvester can pull the catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = ["CkanApi"]

ACTIONS = ("package_list", "package_show", "package_search")
MAX_BODY = 64 * 1024  # a read action's parameters are a few hundred bytes


class _ValidationError(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors


def _int(params: dict[str, Any], name: str, default: int, *, maximum: int | None = None) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise _ValidationError({name: ["Invalid integer"]}) from None
    if value < 0:
        raise _ValidationError({name: ["Must be a natural number"]})
    return min(value, maximum) if maximum is not None else value


class CkanApi:
    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder, self.base_url = folder, base_url.rstrip("/")

    def packages(self) -> list[dict[str, Any]]:
        path = self.folder / "ckan.json"
        packages: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        return packages

    def _reply(self, action: str, status: int, body: dict[str, Any]) -> Response:
        body = {"help": f"{self.base_url}/api/3/action/help_show?name={action}", **body}
        return JSONResponse(body, status_code=status, media_type="application/json;charset=utf-8")

    async def handle(self, request: Request) -> Response:
        action = request.path_params["action"]
        if action not in ACTIONS:
            return self._reply(action, 400, {"success": False, "error": {
                "__type": "Bad request - Action name not known", "message": f"Action name not known: {action}"}})
        params: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            raw = b""
            async for chunk in request.stream():
                raw += chunk
                if len(raw) > MAX_BODY:
                    return self._reply(action, 413, {"success": False, "error": {
                        "__type": "Bad request", "message": f"Bad request - the body is larger than {MAX_BODY} bytes"}})
            try:
                body = json.loads(raw or b"{}")
            except (ValueError, UnicodeDecodeError):
                return self._reply(action, 400, {"success": False, "error": {
                    "__type": "Bad request", "message": "Bad request - JSON Error: could not parse the body"}})
            if not isinstance(body, dict):
                return self._reply(action, 400, {"success": False, "error": {
                    "__type": "Bad request", "message": "Bad request - JSON Error: request data must be a dict"}})
            params.update(body)
        try:
            result = getattr(self, action)(params)
        except _ValidationError as exc:
            return self._reply(action, 409, {"success": False, "error": {"__type": "Validation Error", **exc.errors}})
        except LookupError:
            return self._reply(action, 404, {"success": False, "error": {"__type": "Not Found Error",
                                                                         "message": "Not found"}})
        return self._reply(action, 200, {"success": True, "result": result})

    def package_list(self, params: dict[str, Any]) -> list[str]:
        names = sorted(p["name"] for p in self.packages())
        offset = _int(params, "offset", 0)
        limit = _int(params, "limit", len(names))
        return names[offset:offset + limit]

    def package_show(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params.get("id") or params.get("name_or_id")
        if not wanted:
            raise _ValidationError({"id": ["Missing value"]})
        for p in self.packages():
            if wanted in (p["id"], p["name"]):
                return p
        raise LookupError(wanted)

    def package_search(self, params: dict[str, Any]) -> dict[str, Any]:
        rows = _int(params, "rows", 10, maximum=1000)
        start = _int(params, "start", 0)
        words = [w.lower() for w in str(params.get("q", "")).split() if w not in ("*:*",)]
        found = []
        for p in self.packages():
            text = " ".join([p["name"], p["title"], p["notes"], *(t["name"] for t in p["tags"])]).lower()
            if all(w in text for w in words):
                found.append(p)
        found.sort(key=lambda p: p["metadata_modified"], reverse=True)
        return {"count": len(found), "results": found[start:start + rows], "sort": "score desc, metadata_modified desc",
                "facets": {}, "search_facets": {}}

"""Before a run: is the product there at all?

A product that cannot be reached has not broken the contract — the run has broken. Without this
check every scenario fails on a connection error and the kit would sign a 不準拠 report about a
product it never spoke to; with it, the run stops with one line and exit status 3.
"""

from __future__ import annotations

import httpx


def unreachable(base_url: str, timeout: float) -> str | None:
    """Why ``base_url`` cannot be reached, or None when it answers anything at all (any HTTP status)."""
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as http:
            http.get(base_url)
    except httpx.InvalidURL as exc:
        return f"--base-url {base_url} は URL として正しくありません: {exc}"
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        return (f"--base-url {base_url} に接続できません（{type(exc).__name__}: {reason}）。"
                "製品が起動しているか、URL とポートを確かめてください。報告書は作成していません")
    return None

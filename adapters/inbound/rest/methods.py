"""Which methods the OpenAPI document defines for a concrete path (for the 405 Allow header)."""

from __future__ import annotations

import re
from typing import Any

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class AllowedMethods:
    """Built from the document the hub serves (the core document merged with the services')."""

    def __init__(self, spec: dict[str, Any], base_path: str = "/api/v1") -> None:
        self._table: list[tuple[re.Pattern[str], list[str]]] = []
        for template, item in spec["paths"].items():
            pattern = re.sub(r"\{[^/]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
            methods = sorted(m.upper() for m in item if m in _METHODS)
            self._table.append((re.compile(f"^{re.escape(base_path)}{pattern}/?$"), methods))

    def __call__(self, path: str) -> list[str]:
        for pattern, methods in self._table:
            if pattern.match(path):
                return methods
        return []

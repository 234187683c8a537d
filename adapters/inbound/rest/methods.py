"""Which methods the OpenAPI document defines for a concrete path (for the 405 Allow header)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml

import api_specs

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@cache
def _table(base_path: str) -> list[tuple[re.Pattern[str], list[str]]]:
    spec: dict[str, Any] = yaml.safe_load(api_specs.path("openapi.yaml").read_text(encoding="utf-8"))
    out = []
    for template, item in spec["paths"].items():
        pattern = re.sub(r"\{[^/]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
        methods = sorted(m.upper() for m in item if m in _METHODS)
        out.append((re.compile(f"^{re.escape(base_path)}{pattern}/?$"), methods))
    return out


def allowed_methods(path: str, base_path: str = "/api/v1") -> list[str]:
    for pattern, methods in _table(base_path):
        if pattern.match(path):
            return methods
    return []

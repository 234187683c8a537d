"""JSON responses that keep Japanese text readable (no ASCII escapes)."""

from __future__ import annotations

import json
from typing import Any

from connexion.lifecycle import ConnexionResponse


def json_response(data: Any, status: int = 200) -> ConnexionResponse:
    return ConnexionResponse(status_code=status, mimetype="application/json",
                             content_type="application/json; charset=utf-8",
                             body=json.dumps(data, ensure_ascii=False, default=str))

"""JSON responses that keep Japanese text readable (no ASCII escapes) and dates in ISO 8601."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

from connexion.lifecycle import ConnexionResponse


def _default(value: Any) -> Any:
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, bytes):  # a document carried byte-exact (xs:base64Binary in the XSD)
        return base64.b64encode(value).decode("ascii")
    return str(value)


def json_response(data: Any, status: int = 200) -> ConnexionResponse:
    return ConnexionResponse(status_code=status, mimetype="application/json",
                             content_type="application/json; charset=utf-8",
                             body=json.dumps(data, ensure_ascii=False, default=_default))

"""The faulty vendor's REST twin (/api/v1/jumin/...): the same data as its SOAP side, as JSON."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.faulty_vendor_parts import Refused, VendorData, as_json


def rest_routes(vendor: VendorData) -> list[Route]:
    def problem(code: str, detail: str) -> JSONResponse:
        row = vendor.codes[code]
        body = {"type": "about:blank", "title": row["ja"], "status": row["http"], "code": code,
                "detail": detail}
        return JSONResponse(body, status_code=row["http"], media_type="application/problem+json")

    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> JSONResponse:
            key = request.headers.get("x-api-key")
            if not key:
                return problem("2001", "X-API-Key がありません")
            if key != vendor.api_key:
                return problem("2002", "API キーが違います")
            try:
                return JSONResponse(handler(request))
            except Refused as r:
                return problem(r.code, r.message)
        return endpoint

    def ok() -> dict[str, str]:
        return {"code": "0000", "message": vendor.codes["0000"]["ja"]}

    def resident(request: Request) -> dict[str, Any]:
        record = vendor.current(request.path_params["atena_no"])
        if record is None:
            raise Refused("3001", "該当する住民がない")
        return {"result": ok(), "jumin": as_json(record)}

    def setai(request: Request) -> dict[str, Any]:
        members = vendor.members(request.path_params["setai_no"])
        if not members:
            raise Refused("3002", "該当する世帯がない")
        return {"result": ok(), "setaiNo": request.path_params["setai_no"],
                "member": [as_json(m) for m in members]}

    def ido(request: Request) -> dict[str, Any]:
        q = request.query_params
        page, cursor, more = vendor.page(q.get("since"), q.get("cursor"), int(q.get("pageSize") or 100))
        entries = [{"receiptId": e["receiptId"], "acceptedAt": e["acceptedAt"], "ido": as_json(e["ido"])}
                   for e in page]
        return {"result": ok(), "entry": entries, "nextCursor": cursor, "hasMore": more}

    return [Route("/api/v1/jumin/residents/{atena_no}", guarded(resident)),
            Route("/api/v1/jumin/setai/{setai_no}", guarded(setai)),
            Route("/api/v1/jumin/ido", guarded(ido))]

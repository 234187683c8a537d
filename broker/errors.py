"""One error hierarchy whose classes know their result code, HTTP status and SOAP faultcode.

    HubError                      (5001 internal_error)
    ├── SenderError               1xxx: the sender's fault
    │   ├── MalformedInput        1001, 1006 forbidden XML, 1007 too large, 1008 encoding
    │   ├── SchemaInvalid         1002
    │   ├── HeaderInvalid         1003, 1005 bad 団体コード
    │   ├── CodeUnknown           1004
    │   ├── DuplicateConflict     1009
    │   ├── Stale                 1010
    │   └── RequestInvalid        1011 unknown operation, 1012
    ├── NotAllowed                2xxx: authentication and authorisation
    ├── NotFound                  3xxx
    ├── StoreUnavailable          5002: the store is away; the sender retries
    └── DownstreamError           5003 / 5004

``message`` is safe to show the sender; ``log_detail`` stays in the hub's logs.
"""

from __future__ import annotations

from broker.result_codes import ResultCode, by_name


class HubError(Exception):
    default_code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, log_detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.result: ResultCode = by_name(code or self.default_code)
        self.log_detail = log_detail

    @property
    def http_status(self) -> int:
        return self.result.http

    @property
    def faultcode(self) -> str:
        return self.result.faultcode or "Server"


class SenderError(HubError):
    default_code = "request_invalid"


class MalformedInput(SenderError):
    default_code = "malformed"


class SchemaInvalid(SenderError):
    default_code = "schema_invalid"


class HeaderInvalid(SenderError):
    default_code = "header_invalid"


class CodeUnknown(SenderError):
    default_code = "code_unknown"


class DuplicateConflict(SenderError):
    default_code = "duplicate_conflict"


class Stale(SenderError):
    default_code = "stale"


class RequestInvalid(SenderError):
    default_code = "request_invalid"


class NotAllowed(HubError):
    default_code = "operation_forbidden"


class NotFound(HubError):
    default_code = "resource_not_found"


class DownstreamError(HubError):
    default_code = "downstream_unavailable"


class StoreUnavailable(HubError):
    default_code = "store_unavailable"

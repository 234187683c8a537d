"""Evidence: every exchange the kit makes or receives, kept so a failing verdict can be shown.

A report reader (a procurement officer, a vendor's engineer) needs the request and the response of
the step that failed, not a stack trace. Bodies are kept whole up to a limit and cut beyond it, so an
oversized probe does not turn the report into megabytes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KEEP_BYTES = 6000


def _shown(data: bytes) -> str:
    text = data[:KEEP_BYTES].decode("utf-8", errors="replace")
    if len(data) > KEEP_BYTES:
        text += f"\n… （{len(data) - KEEP_BYTES} バイト省略、全体 {len(data)} バイト）"
    return text


@dataclass
class Exchange:
    """One HTTP request and its response (or the error that stood in for one)."""

    label: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None
    response_headers: dict[str, str]
    response_body: str
    elapsed_ms: int
    step: str = ""

    @classmethod
    def of(cls, label: str, method: str, url: str, req_headers: dict[str, str], req_body: bytes,
           status: int | None, resp_headers: dict[str, str], resp_body: bytes, elapsed_ms: int) -> Exchange:
        return cls(label, method, url, dict(req_headers), _shown(req_body), status, dict(resp_headers),
                   _shown(resp_body), elapsed_ms)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Recorder:
    """Collects exchanges for the scenario being run, tagged with the step in progress."""

    exchanges: list[Exchange] = field(default_factory=list)
    current_step: str = ""

    def add(self, exchange: Exchange) -> None:
        exchange.step = self.current_step
        self.exchanges.append(exchange)

    def for_step(self, step: str) -> list[Exchange]:
        """The exchanges made in ``step``; when it made none (a check on an earlier answer), the last one."""
        own = [e for e in self.exchanges if e.step == step]
        return own or self.exchanges[-1:]

    def reset(self) -> None:
        self.exchanges = []
        self.current_step = ""

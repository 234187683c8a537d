"""Every date-time a product answers with carries its UTC offset.

``xs:dateTime`` tolerates a value without a zone and OpenAPI's ``date-time`` (RFC 3339) does not; the
contract asks for the offset everywhere (api_specs/README.md), because a time without one cannot be
ordered against anything: 14:10 in Tokyo and 14:10 UTC are nine hours apart. The kit watches every
response of a run — a duplicate receipt as much as the first one — rather than the few fields a
scenario happens to read, and one scenario at the end of the run judges them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from conformance.evidence import Exchange

# a date, "T", hours and minutes, optional seconds and fraction, then the offset the rule asks for
_DATE_TIME = re.compile(rb"(?<![0-9])([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
                        rb"(Z|[+-][0-9]{2}:[0-9]{2})?(?![0-9])")


@dataclass(frozen=True)
class NaiveDateTime:
    """A date-time without an offset, and the exchange it came in (shown in the report)."""

    value: str
    exchange: Exchange

    def describe(self) -> str:
        return f"{self.value}（{self.exchange.label}）"


def without_offset(content: bytes) -> list[str]:
    """The date-times in a response body (XML or JSON alike) that carry no offset."""
    return [m.group(1).decode("ascii") for m in _DATE_TIME.finditer(content) if m.group(2) is None]


@dataclass
class DateTimeWatch:
    """Collects, over a whole run, the date-times the product answered with and those without offset."""

    seen: int = 0
    naive: list[NaiveDateTime] = field(default_factory=list)

    def look(self, exchange: Exchange, content: bytes) -> None:
        self.seen += sum(1 for _ in _DATE_TIME.finditer(content))
        self.naive += [NaiveDateTime(value, exchange) for value in without_offset(content)]

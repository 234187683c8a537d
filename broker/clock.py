"""The hub's clock: timezone-aware, Japan Standard Time, one place to read it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def now() -> datetime:
    return datetime.now(JST)


def as_jst(value: datetime) -> datetime:
    """A database datetime in JST: SQLite hands back naive JST wall time, PostgreSQL an aware one."""
    if value.tzinfo is None:
        return value.replace(tzinfo=JST)
    return value.astimezone(JST)

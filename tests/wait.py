"""Wait for an observable condition with a bounded deadline (never a fixed sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from simulators.receiver import Inbox

T = TypeVar("T")


def until(check: Callable[[], T], timeout: float = 30.0, interval: float = 0.05, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {value!r})")
        time.sleep(interval)


def inbox_holds(inbox: Inbox, count: int) -> Callable[[], bool]:
    """A check for ``until`` bound to this inbox now, so a loop over receivers waits on each in turn."""
    return lambda: len(inbox.items) == count

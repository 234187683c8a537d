"""Keep an outage from flooding the log: one line per kind of failure per interval, with a count.

During a store or broker outage every request, relay pass and worker task fails the same way, and a
full traceback for each buries the log (thousands a second). ``FloodGate`` is a logging filter put
on the process's handlers: a kind of record (logger, level, message template, exception type) passes
once, then is counted, not written, until ``interval`` seconds have passed; the next one carries
the count of those held back. A traceback is written the first time its kind is seen, and again
only after that kind has been quiet for ``quiet_reset`` seconds (a new outage shows its cause once).
Records below WARNING pass untouched.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_KINDS = 2000  # distinct kinds remembered; the oldest are forgotten past this


@dataclass
class _Kind:
    window_start: float
    last_seen: float
    held: int = 0
    traceback_shown: bool = False


class FloodGate(logging.Filter):
    def __init__(self, interval: float = 10.0, quiet_reset: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.clock = clock
        self.interval = interval
        self.quiet_reset = quiet_reset
        self._kinds: dict[tuple[str, int, str, str], _Kind] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (record.name, record.levelno, str(record.msg), exc_type)
        t = self.clock()
        with self._lock:
            kind = self._kinds.get(key)
            if kind is None or t - kind.last_seen > self.quiet_reset:
                if len(self._kinds) >= MAX_KINDS:
                    self._kinds.pop(next(iter(self._kinds)))
                self._kinds[key] = _Kind(window_start=t, last_seen=t, traceback_shown=bool(exc_type))
                return True
            kind.last_seen = t
            if t - kind.window_start < self.interval:
                kind.held += 1
                return False
            held, elapsed = kind.held, t - kind.window_start
            kind.window_start, kind.held = t, 0
            show_traceback = bool(exc_type) and not kind.traceback_shown
            kind.traceback_shown = kind.traceback_shown or show_traceback
        suffix = f" [{held} more like this in the last {elapsed:.0f} s]" if held else ""
        if exc_type and not show_traceback:
            err = record.exc_info[1] if record.exc_info else None
            first_line = str(err).splitlines()[0][:200] if err is not None and str(err) else ""
            suffix += f" ({exc_type}: {first_line}; traceback shown before)"
            record.exc_info, record.exc_text = None, None
        if suffix:
            record.msg = f"{record.msg}{suffix.replace('%', '%%') if record.args else suffix}"
        return True


_GATE_ATTR = "_chipla_flood_gate"


def install(interval: float = 10.0, loggers: tuple[str, ...] = ("", "uvicorn", "uvicorn.error", "celery")) -> None:
    """Put one gate on every handler of these loggers (the root logger gets a handler if it has none)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    gate = FloodGate(interval)
    for name in loggers:
        for handler in logging.getLogger(name).handlers:
            if not any(getattr(f, _GATE_ATTR, False) for f in handler.filters):
                setattr(gate, _GATE_ATTR, True)
                handler.addFilter(gate)

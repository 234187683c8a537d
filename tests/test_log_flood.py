"""A store outage logs one line per kind of failure per interval, with a count, and one traceback."""

from __future__ import annotations

import io
import logging

from chipla.log_flood import FloodGate


def _logger(gate: FloodGate) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(gate)
    log = logging.getLogger(f"flood-test-{id(gate)}")
    log.propagate = False
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return log, out


def _fail(log: logging.Logger, n: int) -> None:
    for i in range(n):
        try:
            raise ConnectionRefusedError(f"connection to 127.0.0.1:5432 refused ({i})")
        except ConnectionRefusedError:
            log.exception("accept failed for %s", f"message-{i}")


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_thousands_of_failures_make_one_line_and_one_traceback() -> None:
    clock = Clock()
    log, out = _logger(FloodGate(interval=10, clock=clock))
    _fail(log, 5000)
    first = out.getvalue()
    assert first.count("Traceback") == 1 and first.count("accept failed") == 1
    clock.t += 10.5
    _fail(log, 3)
    text = out.getvalue()
    assert text.count("Traceback") == 1  # the cause was shown; later lines say what and how often
    assert text.count("accept failed") == 2
    assert "4999 more like this" in text and "ConnectionRefusedError: connection to" in text


def test_kinds_are_counted_apart_and_info_passes() -> None:
    log, out = _logger(FloodGate(interval=60))
    _fail(log, 10)
    for _ in range(10):
        log.warning("relay pass failed for %s", "zei")
        log.info("claimed %d", 3)
    text = out.getvalue()
    assert text.count("accept failed") == 1 and text.count("relay pass failed") == 1
    assert text.count("claimed 3") == 10


def test_a_kind_quiet_for_long_shows_its_traceback_again() -> None:
    clock = Clock()
    log, out = _logger(FloodGate(interval=10, quiet_reset=300, clock=clock))
    _fail(log, 2)
    clock.t += 301
    _fail(log, 1)
    assert out.getvalue().count("Traceback") == 2

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import RunningHub, sqlite_url, start_hub


@pytest.fixture
def notify_hub(tmp_path: Path) -> Iterator[RunningHub]:
    """A hub with its embedded SMTP sink; the clock-driven rules are run by the tests themselves."""
    running = start_hub(sqlite_url(tmp_path), notify_tick_seconds=0, max_attempts=50, retry_cap=0.3)
    yield running
    running.stop()

"""One running hub per module for the attacker's tests that only read, or only get refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import RunningHub, sqlite_url, start_hub


@pytest.fixture(scope="module")
def shared_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    running = start_hub(sqlite_url(tmp_path_factory.mktemp("hub")))
    yield running
    running.stop()
